-- projection: task
-- description: The current view of every task: all its fields, state with category, live comment count, pending approval, dates and timestamps.
-- version: 1

-- Times are decision times (`:at`, the `decidedat` attribute), RFC 3339 UTC. `started_at` is when the
-- task first entered a state of the started category; `completed_at` is cleared when it is reopened.
-- `overdue`: due date before the day (UTC) of the latest event seen, not completed or canceled, and
-- not deleted (the same rule as the board). Deleted tasks stay here with `deleted_at` set; `tasks` hides them unless
-- asked.

-- schema
CREATE TABLE members (member TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE tasks (
    task TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    number INTEGER NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    workflow TEXT NOT NULL,
    workflow_version INTEGER NOT NULL,
    state TEXT NOT NULL,
    state_name TEXT NOT NULL,
    category TEXT NOT NULL,
    rank TEXT,
    priority TEXT NOT NULL,
    assignees TEXT NOT NULL DEFAULT '[]',
    author TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '[]',
    start_date TEXT,
    due_date TEXT,
    estimate TEXT,
    comments INTEGER NOT NULL DEFAULT 0,
    pending_approval TEXT,
    approval_to TEXT,
    approval_requester TEXT,
    approval_requested_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    deleted_at TEXT,
    version INTEGER NOT NULL
);
CREATE INDEX tasks_by_project ON tasks (project, number);
CREATE TABLE comments (
    task TEXT NOT NULL,
    comment TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task, comment)
);
-- The state names of every published workflow version (for an approval's target state).
CREATE TABLE workflow_states (
    workflow TEXT NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (workflow, version, state)
);
CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);

-- on: MemberAdded
INSERT OR REPLACE INTO members (member, name) VALUES (:data.memberID, :data.displayName);

-- on: WorkflowVersionPublished
INSERT OR REPLACE INTO workflow_states (workflow, version, state, name)
SELECT :data.workflowID, :data.version, s.value ->> '$.id', s.value ->> '$.name'
FROM json_each(:data, '$.definition.states') AS s;

-- on: TaskCreated
INSERT OR REPLACE INTO tasks (
    task, project, number, key, title, description, workflow, workflow_version, state, state_name, category, rank, priority,
    assignees, author, labels, start_date, due_date, estimate, created_at, updated_at, started_at, completed_at, version)
VALUES (
    :data.taskID, :data.projectID, :data.number, :data.key, :data.title, coalesce(:data.description, ''),
    :data.workflow.workflow, :data.workflow.version, :data.state, :data.stateName, :data.category, :data.rank, :data.priority,
    coalesce(:data.assignees, '[]'), :data.author, coalesce(:data.labels, '[]'), :data.startDate, :data.dueDate, :data.estimate,
    :at, :at, CASE WHEN :data.category = 'started' THEN :at END, CASE WHEN :data.category = 'completed' THEN :at END,
    :streamversion);

-- on: TaskEdited
UPDATE tasks SET title = coalesce(:data.title, title), description = coalesce(:data.description, description)
WHERE task = :data.taskID;

-- on: TaskAssigned
UPDATE tasks SET assignees = json_insert(assignees, '$[#]', :data.memberID)
WHERE task = :data.taskID AND NOT EXISTS (SELECT 1 FROM json_each(tasks.assignees) WHERE value = :data.memberID);

-- on: TaskUnassigned
UPDATE tasks SET assignees = (
    SELECT json_group_array(value) FROM (SELECT value FROM json_each(tasks.assignees) WHERE value <> :data.memberID ORDER BY key))
WHERE task = :data.taskID;

-- on: TaskPriorityChanged
UPDATE tasks SET priority = :data.priority WHERE task = :data.taskID;

-- on: TaskDatesChanged
UPDATE tasks SET start_date = :data.startDate, due_date = :data.dueDate WHERE task = :data.taskID;

-- on: TaskEstimateChanged
UPDATE tasks SET estimate = :data.estimate WHERE task = :data.taskID;

-- on: TaskLabelsChanged
UPDATE tasks SET labels = coalesce(:data.labels, '[]') WHERE task = :data.taskID;

-- on: TaskMoved
UPDATE tasks SET
    state = :data.to, state_name = :data.toName, category = :data.toCategory, rank = :data.rank,
    started_at = coalesce(started_at, CASE WHEN :data.toCategory = 'started' THEN :at END)
WHERE task = :data.taskID;

-- on: TaskReordered
UPDATE tasks SET rank = :data.to WHERE task = :data.taskID;

-- on: TaskCompleted
UPDATE tasks SET completed_at = :at WHERE task = :data.taskID;

-- on: TaskReopened
UPDATE tasks SET completed_at = NULL WHERE task = :data.taskID;

-- on: TaskDeleted
UPDATE tasks SET deleted_at = :at WHERE task = :data.taskID;

-- on: TaskRestored
UPDATE tasks SET deleted_at = NULL WHERE task = :data.taskID;

-- The live comment count is kept by increments (counting a task's comments again on each change costs
-- time in proportion to its comments: a busy task made rebuilds quadratic). Each first checks the
-- comment's row before changing it, so a repeated event changes nothing, as a recount would not.
-- on: CommentAdded
UPDATE tasks SET comments = comments + 1
WHERE task = :data.taskID
  AND NOT EXISTS (SELECT 1 FROM comments WHERE task = :data.taskID AND comment = :data.commentID AND deleted = 0);
INSERT OR REPLACE INTO comments (task, comment, deleted) VALUES (:data.taskID, :data.commentID, 0);

-- on: CommentDeleted
UPDATE tasks SET comments = comments - 1
WHERE task = :data.taskID
  AND EXISTS (SELECT 1 FROM comments WHERE task = :data.taskID AND comment = :data.commentID AND deleted = 0);
UPDATE comments SET deleted = 1 WHERE task = :data.taskID AND comment = :data.commentID;

-- on: CommentRestored
UPDATE tasks SET comments = comments + 1
WHERE task = :data.taskID
  AND EXISTS (SELECT 1 FROM comments WHERE task = :data.taskID AND comment = :data.commentID AND deleted = 1);
UPDATE comments SET deleted = 0 WHERE task = :data.taskID AND comment = :data.commentID;

-- on: ApprovalRequested
UPDATE tasks SET pending_approval = :data.approvalID, approval_to = :data.to, approval_requester = :data.requester,
                 approval_requested_at = :at
WHERE task = :data.taskID;

-- on: ApprovalGranted, ApprovalRejected, ApprovalCancelled, ApprovalExpired
UPDATE tasks SET pending_approval = NULL, approval_to = NULL, approval_requester = NULL, approval_requested_at = NULL
WHERE task = :data.taskID AND pending_approval = :data.approvalID;

-- on: *
-- Every event of a task's stream (comments and approvals included) updates it, as the domain's `updatedAt` does.
UPDATE tasks SET updated_at = :at, version = :streamversion
WHERE :stream LIKE 'task-%' AND task = substr(:stream, 6) AND :type <> 'TaskCreated';
INSERT INTO clock (id, at) VALUES (1, :at) ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at);

-- query: task(task)
-- description: One task as it is now (deleted tasks too, with deleted_at set).
SELECT t.task, t.project, t.number, t.key, t.title, t.description, t.state, t.state_name, t.category,
       t.workflow, t.workflow_version, t.rank, t.priority,
       (SELECT json_group_array(json(a)) FROM (
            SELECT json_object('id', e.value, 'name', coalesce(m.name, e.value)) AS a
            FROM json_each(t.assignees) AS e LEFT JOIN members AS m ON m.member = e.value ORDER BY e.key)) AS assignees_json,
       json_object('id', t.author, 'name', coalesce((SELECT name FROM members WHERE member = t.author), t.author)) AS author_json,
       t.labels AS labels_json, t.start_date, t.due_date, t.estimate, t.comments,
       CASE WHEN t.pending_approval IS NULL THEN 'null'
            ELSE json_object(
                'approval', t.pending_approval, 'to', t.approval_to,
                'toName', (SELECT name FROM workflow_states s
                           WHERE s.workflow = t.workflow AND s.version = t.workflow_version AND s.state = t.approval_to),
                'requester', t.approval_requester, 'requestedAt', t.approval_requested_at) END AS pending_approval_json,
       CASE WHEN t.due_date < date((SELECT at FROM clock)) AND t.category NOT IN ('completed', 'canceled') AND t.deleted_at IS NULL
            THEN 'true' ELSE 'false' END AS overdue_json,
       t.created_at, t.updated_at, t.started_at, t.completed_at, t.deleted_at, t.version
FROM tasks AS t
WHERE t.task = :task;

-- query: tasks(project, state = NULL, category = NULL, assignee = NULL, include_deleted = 0, limit = 50)
-- description: A project's tasks by number, optionally of one state, one category or one assignee; deleted ones only with include_deleted = 1.
-- cursor: number
SELECT t.task, t.number, t.key, t.title, t.state, t.state_name, t.category, t.priority,
       t.assignees AS assignees_json, t.labels AS labels_json, t.due_date, t.estimate, t.comments,
       CASE WHEN t.pending_approval IS NULL THEN 'false' ELSE 'true' END AS pending_approval_json,
       CASE WHEN t.due_date < date((SELECT at FROM clock)) AND t.category NOT IN ('completed', 'canceled') AND t.deleted_at IS NULL
            THEN 'true' ELSE 'false' END AS overdue_json,
       t.created_at, t.updated_at, t.completed_at, t.deleted_at
FROM tasks AS t
WHERE t.project = :project
  AND (:state IS NULL OR t.state = :state)
  AND (:category IS NULL OR t.category = :category)
  AND (:assignee IS NULL OR EXISTS (SELECT 1 FROM json_each(t.assignees) WHERE value = :assignee))
  AND (:include_deleted OR t.deleted_at IS NULL)
  AND (:cursor_number IS NULL OR t.number > :cursor_number)
ORDER BY t.number
LIMIT :limit;
