-- An account can be stopped (停用) without deleting it: its history keeps its name.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
