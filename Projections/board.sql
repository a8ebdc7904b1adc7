-- projection: board
-- description: Each project's board: the columns of the project's pinned workflow version (count, estimate sums, WIP limit and state) and the live cards of each column in rank order.
-- version: 1
-- snapshots: every 10000

-- Rules, so the numbers can be checked by hand:
-- * Columns are the states of the workflow version the project pins now (ProjectCreated, then
--   ProjectWorkflowChanged). A task keeps the version it was created with; a card whose state the
--   pinned version lacks shows in no column (it is still in `tasks(project)` of the task projection).
-- * Counts, estimate sums and WIP states count live cards: a deleted task leaves its column, a
--   restored one returns. Estimates are summed per unit: points (`5pt`) and hours (`8h`) apart.
-- * A column is `wip_full` when it holds at least its WIP limit and `wip_exceeded` when it holds more
--   (possible with soft enforcement, or after a limit is lowered).
-- * Cards are ordered by rank (a fractional key of letters and digits); cards without a rank follow the
--   ranked ones, by task number. `sort_key` is that order's key (the rank, or `~` for none).
-- * A card is overdue when it has a due date before the day (UTC) of the latest event the projection has
--   seen, and its state is not in the completed or canceled category. The read model reads no clock,
--   so the same events always give the same board, "as of" any position.

-- schema
CREATE TABLE workflow_states (
    workflow TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    position INTEGER NOT NULL,
    wip_limit INTEGER,
    is_initial INTEGER NOT NULL,
    is_read_only INTEGER NOT NULL,
    PRIMARY KEY (workflow, version, state)
);
CREATE TABLE projects (
    project TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    workflow TEXT NOT NULL,
    version INTEGER NOT NULL,
    wip_enforcement TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active'
);
CREATE TABLE members (member TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE cards (
    task TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    number INTEGER NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    category TEXT NOT NULL,
    rank TEXT,
    sort_key TEXT GENERATED ALWAYS AS (coalesce(rank, '~')) STORED,
    assignees TEXT NOT NULL DEFAULT '[]',
    priority TEXT NOT NULL,
    due_date TEXT,
    labels TEXT NOT NULL DEFAULT '[]',
    estimate TEXT,
    estimate_points INTEGER GENERATED ALWAYS AS (
        CASE WHEN estimate LIKE '%pt' THEN CAST(substr(estimate, 1, length(estimate) - 2) AS INTEGER) ELSE 0 END) STORED,
    estimate_hours INTEGER GENERATED ALWAYS AS (
        CASE WHEN estimate LIKE '%h' THEN CAST(substr(estimate, 1, length(estimate) - 1) AS INTEGER) ELSE 0 END) STORED,
    pending_approval TEXT,
    approval_to TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);
-- Live cards per column, kept by the triggers below so a column's header costs one row.
CREATE TABLE column_totals (
    project TEXT NOT NULL,
    state TEXT NOT NULL,
    count INTEGER NOT NULL,
    estimate_points INTEGER NOT NULL,
    estimate_hours INTEGER NOT NULL,
    PRIMARY KEY (project, state)
);
CREATE TRIGGER card_added AFTER INSERT ON cards WHEN NEW.deleted = 0 BEGIN
    INSERT INTO column_totals (project, state, count, estimate_points, estimate_hours)
    VALUES (NEW.project, NEW.state, 1, NEW.estimate_points, NEW.estimate_hours)
    ON CONFLICT (project, state) DO UPDATE SET
        count = count + 1,
        estimate_points = estimate_points + excluded.estimate_points,
        estimate_hours = estimate_hours + excluded.estimate_hours;
END;
CREATE TRIGGER card_changed AFTER UPDATE OF state, deleted, estimate ON cards BEGIN
    UPDATE column_totals SET
        count = count - 1,
        estimate_points = estimate_points - OLD.estimate_points,
        estimate_hours = estimate_hours - OLD.estimate_hours
    WHERE OLD.deleted = 0 AND project = OLD.project AND state = OLD.state;
    INSERT INTO column_totals (project, state, count, estimate_points, estimate_hours)
    SELECT NEW.project, NEW.state, 1, NEW.estimate_points, NEW.estimate_hours WHERE NEW.deleted = 0
    ON CONFLICT (project, state) DO UPDATE SET
        count = count + 1,
        estimate_points = estimate_points + excluded.estimate_points,
        estimate_hours = estimate_hours + excluded.estimate_hours;
END;
-- The decision time of the latest event seen: "today" for the overdue rule.
CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);

-- schema: after build
-- Only the queries read by column; a build creates the index once at the end instead of keeping it on
-- every card change.
CREATE INDEX cards_by_column ON cards (project, state, deleted, sort_key, number);
-- The overdue counts of the board's header and columns read only the cards that can be overdue (open,
-- with a due date), earliest first, instead of every card of the column: a 10,000-card board is read
-- in microseconds, not milliseconds. The queries repeat these WHERE terms word for word, which is how
-- SQLite knows it may use a partial index.
CREATE INDEX cards_overdue_by_column ON cards (project, state, due_date)
    WHERE deleted = 0 AND due_date IS NOT NULL AND category NOT IN ('completed', 'canceled');
CREATE INDEX cards_overdue_by_project ON cards (project, due_date)
    WHERE deleted = 0 AND due_date IS NOT NULL AND category NOT IN ('completed', 'canceled');

-- on: WorkflowVersionPublished
INSERT OR REPLACE INTO workflow_states (workflow, version, state, name, category, position, wip_limit, is_initial, is_read_only)
SELECT :data.workflowID, :data.version, s.value ->> '$.id', s.value ->> '$.name', s.value ->> '$.category',
       s.value ->> '$.position', s.value ->> '$.wipLimit', coalesce(s.value ->> '$.isInitial', 0),
       coalesce(s.value ->> '$.isReadOnly', 0)
FROM json_each(:data, '$.definition.states') AS s;

-- on: ProjectCreated
INSERT OR REPLACE INTO projects (project, key, name, workflow, version, wip_enforcement)
VALUES (:data.projectID, :data.key, :data.name, :data.workflow.workflow, :data.workflow.version, :data.wipEnforcement);

-- on: ProjectUpdated
UPDATE projects SET name = :data.name, wip_enforcement = :data.wipEnforcement WHERE project = :data.projectID;

-- on: ProjectWorkflowChanged
UPDATE projects SET workflow = :data.to.workflow, version = :data.to.version WHERE project = :data.projectID;

-- on: ProjectArchived
UPDATE projects SET status = 'archived' WHERE project = :data.projectID;

-- on: ProjectRestored
UPDATE projects SET status = 'active' WHERE project = :data.projectID;

-- on: MemberAdded
INSERT OR REPLACE INTO members (member, name) VALUES (:data.memberID, :data.displayName);

-- on: TaskCreated
INSERT OR REPLACE INTO cards (task, project, number, key, title, state, category, rank, assignees, priority, due_date, labels, estimate)
VALUES (:data.taskID, :data.projectID, :data.number, :data.key, :data.title, :data.state, :data.category, :data.rank,
        coalesce(:data.assignees, '[]'), :data.priority, :data.dueDate, coalesce(:data.labels, '[]'), :data.estimate);

-- on: TaskEdited
UPDATE cards SET title = coalesce(:data.title, title) WHERE task = :data.taskID;

-- on: TaskAssigned
UPDATE cards SET assignees = json_insert(assignees, '$[#]', :data.memberID)
WHERE task = :data.taskID AND NOT EXISTS (SELECT 1 FROM json_each(cards.assignees) WHERE value = :data.memberID);

-- on: TaskUnassigned
UPDATE cards SET assignees = (
    SELECT json_group_array(value) FROM (SELECT value FROM json_each(cards.assignees) WHERE value <> :data.memberID ORDER BY key))
WHERE task = :data.taskID;

-- on: TaskPriorityChanged
UPDATE cards SET priority = :data.priority WHERE task = :data.taskID;

-- on: TaskDatesChanged
UPDATE cards SET due_date = :data.dueDate WHERE task = :data.taskID;

-- on: TaskEstimateChanged
UPDATE cards SET estimate = :data.estimate WHERE task = :data.taskID;

-- on: TaskLabelsChanged
UPDATE cards SET labels = coalesce(:data.labels, '[]') WHERE task = :data.taskID;

-- on: TaskMoved
UPDATE cards SET state = :data.to, category = :data.toCategory, rank = :data.rank WHERE task = :data.taskID;

-- on: TaskReordered
UPDATE cards SET rank = :data.to WHERE task = :data.taskID;

-- on: TaskDeleted
UPDATE cards SET deleted = 1 WHERE task = :data.taskID;

-- on: TaskRestored
UPDATE cards SET deleted = 0 WHERE task = :data.taskID;

-- on: ApprovalRequested
UPDATE cards SET pending_approval = :data.approvalID, approval_to = :data.to WHERE task = :data.taskID;

-- on: ApprovalGranted, ApprovalRejected, ApprovalCancelled, ApprovalExpired
UPDATE cards SET pending_approval = NULL, approval_to = NULL
WHERE task = :data.taskID AND pending_approval = :data.approvalID;

-- on: *
INSERT INTO clock (id, at) VALUES (1, :at) ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at);

-- query: project(project)
-- description: The board's header: the project, its status, the workflow version its columns come from, WIP enforcement, and its live cards, points and overdue cards in all.
SELECT p.project, p.key, p.name, p.status, p.workflow, p.version AS workflow_version, p.wip_enforcement,
       (SELECT coalesce(sum(t.count), 0) FROM column_totals t WHERE t.project = p.project) AS cards,
       (SELECT coalesce(sum(t.estimate_points), 0) FROM column_totals t WHERE t.project = p.project) AS estimate_points,
       (SELECT coalesce(sum(t.estimate_hours), 0) FROM column_totals t WHERE t.project = p.project) AS estimate_hours,
       (SELECT count(*) FROM cards c INDEXED BY cards_overdue_by_project
        WHERE c.project = p.project AND c.deleted = 0 AND c.due_date IS NOT NULL AND c.category NOT IN ('completed', 'canceled')
          AND c.due_date < date((SELECT at FROM clock))) AS overdue,
       (SELECT at FROM clock) AS as_of
FROM projects AS p
WHERE p.project = :project;

-- query: columns(project)
-- description: The project's columns, left to right, with live card counts, estimate sums, WIP limit and state, and overdue cards.
SELECT s.state, s.name, s.position, s.category,
       CASE WHEN s.is_read_only THEN 'true' ELSE 'false' END AS read_only_json,
       coalesce(t.count, 0) AS count,
       coalesce(t.estimate_points, 0) AS estimate_points,
       coalesce(t.estimate_hours, 0) AS estimate_hours,
       s.wip_limit,
       CASE WHEN s.wip_limit IS NOT NULL AND coalesce(t.count, 0) >= s.wip_limit THEN 'true' ELSE 'false' END AS wip_full_json,
       CASE WHEN s.wip_limit IS NOT NULL AND coalesce(t.count, 0) > s.wip_limit THEN 'true' ELSE 'false' END AS wip_exceeded_json,
       (SELECT count(*) FROM cards c INDEXED BY cards_overdue_by_column
        WHERE c.project = p.project AND c.state = s.state AND c.deleted = 0 AND c.due_date IS NOT NULL
          AND c.category NOT IN ('completed', 'canceled') AND c.due_date < date((SELECT at FROM clock))) AS overdue
FROM projects AS p
JOIN workflow_states AS s ON s.workflow = p.workflow AND s.version = p.version
LEFT JOIN column_totals AS t ON t.project = p.project AND t.state = s.state
WHERE p.project = :project
ORDER BY s.position;

-- query: column(project, state, limit = 50)
-- description: One column's live cards in rank order (unranked cards last, by number), paged by cursor.
-- cursor: sort_key, number
SELECT c.task, c.number, c.key, c.title, c.rank, c.sort_key, c.priority, c.due_date, c.estimate,
       (SELECT json_group_array(json(a)) FROM (
            SELECT json_object('id', e.value, 'name', coalesce(m.name, e.value)) AS a
            FROM json_each(c.assignees) AS e LEFT JOIN members AS m ON m.member = e.value ORDER BY e.key)) AS assignees_json,
       c.labels AS labels_json,
       CASE WHEN c.due_date < date((SELECT at FROM clock)) AND c.category NOT IN ('completed', 'canceled')
            THEN 'true' ELSE 'false' END AS overdue_json,
       CASE WHEN c.pending_approval IS NULL THEN 'null'
            ELSE json_object('approval', c.pending_approval, 'to', c.approval_to) END AS pending_approval_json
FROM cards AS c
WHERE c.project = :project AND c.state = :state AND c.deleted = 0
  AND (:cursor_sort_key IS NULL OR (c.sort_key, c.number) > (:cursor_sort_key, :cursor_number))
ORDER BY c.sort_key, c.number
LIMIT :limit;
