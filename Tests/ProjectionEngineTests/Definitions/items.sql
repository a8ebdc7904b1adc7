-- projection: items
-- description: Test-only: the state of each stream, and every event by type (paged by cursor).
-- version: 1

-- schema
CREATE TABLE items (stream TEXT PRIMARY KEY, state TEXT NOT NULL, n INTEGER NOT NULL, events INTEGER NOT NULL DEFAULT 1);
CREATE TABLE entries (position INTEGER PRIMARY KEY, type TEXT NOT NULL, stream TEXT NOT NULL, n INTEGER);
CREATE INDEX entries_by_type ON entries (type, position);

-- on: Created
INSERT INTO items (stream, state, n) VALUES (:stream, 'open', :data.n)
    ON CONFLICT (stream) DO UPDATE SET n = excluded.n, events = events + 1;

-- on: Moved, Closed
UPDATE items SET state = lower(:type), n = :data.n, events = events + 1 WHERE stream = :stream;

-- on: *
-- (every event, after the type-specific statements)
INSERT INTO entries (position, type, stream, n) VALUES (:position, :type, :stream, :data.n);

-- query: by_type(type, limit = 50)
-- description: Events of one type in log order.
-- cursor: position
SELECT position, stream, n FROM entries
WHERE type = :type AND (:cursor_position IS NULL OR position > :cursor_position)
ORDER BY position LIMIT :limit;

-- query: items()
SELECT stream, state, n, events FROM items ORDER BY stream;
