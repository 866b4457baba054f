-- Duplicate detection: a new report of the same class near an open case is flagged with the cases it may repeat.
ALTER TABLE cases ADD COLUMN possible_duplicates uuid[] NOT NULL DEFAULT '{}';
