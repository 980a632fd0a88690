-- The words of a criterion's scale points, lowest first, one per line (empty: numbers only).
ALTER TABLE criteria ADD COLUMN labels TEXT NOT NULL DEFAULT '';
