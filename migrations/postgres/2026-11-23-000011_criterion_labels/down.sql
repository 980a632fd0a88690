ALTER TABLE criteria DROP COLUMN labels;
