-- projection: counter
-- description: Test-only: counts events per type.

-- schema
CREATE TABLE counts (type TEXT PRIMARY KEY, n INTEGER NOT NULL);

-- on: *
INSERT INTO counts (type, n) VALUES (:type, 1) ON CONFLICT (type) DO UPDATE SET n = n + 1;

-- query: all()
SELECT type, n FROM counts ORDER BY type;
