-- Nothing to undo: which challenges were public before is not kept.
SELECT 1;
