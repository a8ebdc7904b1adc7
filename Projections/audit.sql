-- projection: audit
-- description: The workspace's audit trail: every event with position, decision time, actor, token, type, stream, a one-line human summary and its field changes; filterable, with full-text search (FTS5) over summary and payload.
-- version: 1

-- `at` is the decision time (the `decidedat` attribute, RFC 3339 UTC): the time the command was
-- decided, which is what history means by "when". The summary is built here, in SQL, from the payload
-- and from names this projection has seen (task keys, member, project and state names), e.g.
-- "Moved OPS-12 from Doing to In review". `changes` is the payload's `changes` when it has one, else the
-- change derived from the payload (a move, an assignment, a role change), else null. Event types this
-- definition does not know get the summary "<type> on <stream>": the trail never skips an event.
-- Filters: `from` is inclusive and `to` exclusive, both compared as text with `at` (give a day
-- `2026-10-05` or an RFC 3339 time, which the engine binds in UTC in `at`'s own form: `time` parameters);
-- `type` takes one type or a comma-separated list. Full text:
-- `text` is searched as one phrase (any text is safe: `OPS-12`, `won't`), `match` is a raw FTS5 query
-- for those who want its syntax (`moved AND review`, `cert*`, `summary: rejected`).

-- schema
CREATE TABLE events (
    position INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT,
    actor_name TEXT,
    actor_kind TEXT,
    token TEXT,
    origin TEXT,
    request TEXT,
    correlation TEXT,
    causation TEXT,
    type TEXT NOT NULL,
    stream TEXT NOT NULL,
    stream_version INTEGER NOT NULL,
    summary TEXT NOT NULL,
    changes TEXT,
    data TEXT NOT NULL
);
-- Names for summaries, as last seen.
CREATE TABLE members (member TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE projects (project TEXT PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE workflows (workflow TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE workflow_states (
    workflow TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (workflow, version, state)
);
CREATE TABLE tasks (
    task TEXT PRIMARY KEY, key TEXT NOT NULL, title TEXT NOT NULL, workflow TEXT NOT NULL, version INTEGER NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE reminder_rules (rule TEXT PRIMARY KEY, name TEXT NOT NULL);
-- The summary of the event being applied, written by its type's section, read by the `*` section (one row).
CREATE TABLE summary (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL, text TEXT, changes TEXT);

-- on: MemberAdded
INSERT OR REPLACE INTO members (member, name) VALUES (:data.memberID, :data.displayName);

-- on: ProjectCreated
INSERT OR REPLACE INTO projects (project, key, name) VALUES (:data.projectID, :data.key, :data.name);

-- on: ProjectUpdated
UPDATE projects SET name = :data.name WHERE project = :data.projectID;

-- on: WorkflowCreated
INSERT OR REPLACE INTO workflows (workflow, name) VALUES (:data.workflowID, :data.name);

-- on: WorkflowVersionPublished
INSERT OR REPLACE INTO workflow_states (workflow, version, state, name)
SELECT :data.workflowID, :data.version, s.value ->> '$.id', s.value ->> '$.name'
FROM json_each(:data, '$.definition.states') AS s;

-- on: TaskCreated
INSERT OR REPLACE INTO tasks (task, key, title, workflow, version, state)
VALUES (:data.taskID, :data.key, :data.title, :data.workflow.workflow, :data.workflow.version, :data.state);

-- on: ReminderRuleCreated, ReminderRuleChanged
INSERT OR REPLACE INTO reminder_rules (rule, name) VALUES (:data.ruleID, :data.definition.name);

-- Each event's one-line summary (and, for events without `changes`, the change derived from the
-- payload), by type: a section per type binds only the fields and looks up only the names its summary
-- uses (one statement for all types bound ~80 parameters per event). The row is read by the `*`
-- section below, which records the event; a type without a section gets the default summary.
-- on: WorkspaceCreated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Created workspace ' || :data.name,
       NULL
FROM (SELECT 1) AS one;

-- on: WorkspaceSettingsChanged
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Changed workspace settings: ' || ch.list,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN (
    SELECT group_concat(
        CASE
            WHEN c.value ->> '$.field' = 'description' THEN 'description changed'
            WHEN c.value -> '$.from' IS NULL OR c.value ->> '$.fromDisplay' = '' THEN
                (c.value ->> '$.field') || ' set to ' || coalesce(nullif(c.value ->> '$.toDisplay', ''), 'nothing')
            WHEN c.value -> '$.to' IS NULL OR c.value ->> '$.toDisplay' = '' THEN (c.value ->> '$.field') || ' cleared'
            ELSE (c.value ->> '$.field') || ' ' || (c.value ->> '$.fromDisplay') || ' → ' || (c.value ->> '$.toDisplay')
        END, '; ') AS list
    FROM json_each(:data, '$.changes') AS c) AS ch;

-- on: MemberAdded
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Added ' || :data.displayName || ' (' || :data.kind || ') as ' || :data.role,
       NULL
FROM (SELECT 1) AS one;

-- on: MemberRoleChanged
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Changed the workspace role of ' || :data.memberName || ' from ' || :data.from || ' to ' || :data.to,
       json_array(json_object(
           'field', 'role', 'from', :data.from, 'to', :data.to, 'fromDisplay', :data.from, 'toDisplay', :data.to))
FROM (SELECT 1) AS one;

-- on: MemberRemoved
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Removed ' || :data.memberName || ' from the workspace',
       NULL
FROM (SELECT 1) AS one;

-- on: ProjectCreated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Created project ' || :data.key || ' "' || :data.name || '"',
       NULL
FROM (SELECT 1) AS one;

-- on: ProjectUpdated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Updated project ' || p.key || ': ' || ch.list,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID
LEFT JOIN (
    SELECT group_concat(
        CASE
            WHEN c.value ->> '$.field' = 'description' THEN 'description changed'
            WHEN c.value -> '$.from' IS NULL OR c.value ->> '$.fromDisplay' = '' THEN
                (c.value ->> '$.field') || ' set to ' || coalesce(nullif(c.value ->> '$.toDisplay', ''), 'nothing')
            WHEN c.value -> '$.to' IS NULL OR c.value ->> '$.toDisplay' = '' THEN (c.value ->> '$.field') || ' cleared'
            ELSE (c.value ->> '$.field') || ' ' || (c.value ->> '$.fromDisplay') || ' → ' || (c.value ->> '$.toDisplay')
        END, '; ') AS list
    FROM json_each(:data, '$.changes') AS c) AS ch;

-- on: ProjectArchived
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Archived project ' || p.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: ProjectRestored
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Restored project ' || p.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: ProjectMemberAdded
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Added ' || :data.memberName || ' to ' || p.key || ' as ' || :data.role,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: ProjectMemberRoleChanged
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Changed the role of ' || :data.memberName || ' in ' || p.key || ' from ' || :data.from || ' to ' || :data.to,
       json_array(json_object(
           'field', 'role', 'from', :data.from, 'to', :data.to, 'fromDisplay', :data.from, 'toDisplay', :data.to))
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: ProjectMemberRemoved
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Removed ' || :data.memberName || ' from ' || p.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: ProjectWorkflowChanged
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Pinned ' || p.key || ' to ' || coalesce(w.name, :data.to.workflow) || ' version ' || :data.to.version
       || ' (was version ' || :data.from.version || ')',
       json_array(json_object(
           'field', 'workflow', 'from', json(:data.from), 'to', json(:data.to),
           'fromDisplay', :data.from.workflow || ' v' || :data.from.version,
           'toDisplay', :data.to.workflow || ' v' || :data.to.version))
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID
LEFT JOIN workflows AS w ON w.workflow = coalesce(:data.workflowID, :data.to.workflow);

-- on: LabelCreated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Created label ' || :data.name || ' in ' || p.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: LabelUpdated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Updated label ' || :data.name || ' in ' || p.key || ': ' || ch.list,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID
LEFT JOIN (
    SELECT group_concat(
        CASE
            WHEN c.value ->> '$.field' = 'description' THEN 'description changed'
            WHEN c.value -> '$.from' IS NULL OR c.value ->> '$.fromDisplay' = '' THEN
                (c.value ->> '$.field') || ' set to ' || coalesce(nullif(c.value ->> '$.toDisplay', ''), 'nothing')
            WHEN c.value -> '$.to' IS NULL OR c.value ->> '$.toDisplay' = '' THEN (c.value ->> '$.field') || ' cleared'
            ELSE (c.value ->> '$.field') || ' ' || (c.value ->> '$.fromDisplay') || ' → ' || (c.value ->> '$.toDisplay')
        END, '; ') AS list
    FROM json_each(:data, '$.changes') AS c) AS ch;

-- on: LabelDeleted
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Deleted label ' || :data.name || ' in ' || p.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: TasksMigratedToWorkflowVersion
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Migrated the tasks of ' || p.key || ' from version ' || :data.from.version || ' to version ' || :data.to.version,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: MilestoneCreated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Created ' || :data.kind || ' "' || :data.name || '" in ' || coalesce(p.key, :data.projectID),
       NULL
FROM (SELECT 1) AS one
LEFT JOIN projects AS p ON p.project = :data.projectID;

-- on: MilestoneUpdated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Updated "' || :data.name || '": ' || ch.list,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN (
    SELECT group_concat(
        CASE
            WHEN c.value ->> '$.field' = 'description' THEN 'description changed'
            WHEN c.value -> '$.from' IS NULL OR c.value ->> '$.fromDisplay' = '' THEN
                (c.value ->> '$.field') || ' set to ' || coalesce(nullif(c.value ->> '$.toDisplay', ''), 'nothing')
            WHEN c.value -> '$.to' IS NULL OR c.value ->> '$.toDisplay' = '' THEN (c.value ->> '$.field') || ' cleared'
            ELSE (c.value ->> '$.field') || ' ' || (c.value ->> '$.fromDisplay') || ' → ' || (c.value ->> '$.toDisplay')
        END, '; ') AS list
    FROM json_each(:data, '$.changes') AS c) AS ch;

-- on: SprintStarted
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Started sprint ' || :data.milestoneID || ' with ' || json_array_length(:data, '$.scope') || ' tasks',
       NULL
FROM (SELECT 1) AS one;

-- on: SprintClosed
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Closed sprint ' || :data.milestoneID || ': ' || json_array_length(:data, '$.completed') || ' completed, '
       || json_array_length(:data, '$.carriedOver') || ' carried over'
       || CASE WHEN :data.carriedOverTo IS NOT NULL THEN ' to ' || :data.carriedOverTo ELSE '' END,
       NULL
FROM (SELECT 1) AS one;

-- on: DocumentAdded
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Uploaded "' || :data.title || '" (' || :data.file.fileName || ', ' || :data.file.sizeBytes || ' bytes)',
       NULL
FROM (SELECT 1) AS one;

-- on: DocumentVersionAdded
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Uploaded version ' || :data.version || ' of document ' || :data.documentID || ' (' || :data.file.fileName || ')',
       NULL
FROM (SELECT 1) AS one;

-- on: DocumentShared
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Shared document ' || :data.documentID || ' with ' || coalesce(:data.withDisplay, 'someone'),
       NULL
FROM (SELECT 1) AS one;

-- on: DocumentUnshared
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Stopped sharing document ' || :data.documentID || ' with ' || coalesce(:data.withDisplay, 'someone'),
       NULL
FROM (SELECT 1) AS one;

-- on: DocumentRemoved
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Removed document ' || :data.documentID,
       NULL
FROM (SELECT 1) AS one;

-- on: TokenIssued
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Issued token ' || :data.tokenID || ' "' || :data.name || '" to ' || :data.memberName,
       NULL
FROM (SELECT 1) AS one;

-- on: TokenRevoked
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Revoked token ' || :data.tokenID || CASE WHEN :data.reason IS NOT NULL THEN ': ' || :data.reason ELSE '' END,
       NULL
FROM (SELECT 1) AS one;

-- on: AccessDenied
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Refused ' || :data.command || ' to ' || coalesce((SELECT name FROM members WHERE member = :data.memberID), :data.memberID)
       || ': missing ' || :data.permission,
       NULL
FROM (SELECT 1) AS one;

-- on: WorkflowCreated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Created workflow ' || :data.name,
       NULL
FROM (SELECT 1) AS one;

-- on: WorkflowVersionPublished
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Published version ' || :data.version || ' of workflow ' || coalesce(w.name, :data.workflowID) || ' ('
       || json_array_length(:data, '$.definition.states') || ' states, '
       || json_array_length(:data, '$.definition.transitions') || ' transitions)',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN workflows AS w ON w.workflow = coalesce(:data.workflowID, :data.to.workflow);

-- on: TaskCreated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Created ' || :data.key || ' "' || :data.title || '" in ' || :data.stateName,
       NULL
FROM (SELECT 1) AS one;

-- on: TaskEdited
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Edited ' || t.key || ': ' || ch.list,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END)
LEFT JOIN (
    SELECT group_concat(
        CASE
            WHEN c.value ->> '$.field' = 'description' THEN 'description changed'
            WHEN c.value -> '$.from' IS NULL OR c.value ->> '$.fromDisplay' = '' THEN
                (c.value ->> '$.field') || ' set to ' || coalesce(nullif(c.value ->> '$.toDisplay', ''), 'nothing')
            WHEN c.value -> '$.to' IS NULL OR c.value ->> '$.toDisplay' = '' THEN (c.value ->> '$.field') || ' cleared'
            ELSE (c.value ->> '$.field') || ' ' || (c.value ->> '$.fromDisplay') || ' → ' || (c.value ->> '$.toDisplay')
        END, '; ') AS list
    FROM json_each(:data, '$.changes') AS c) AS ch;

-- on: TaskAssigned
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Assigned ' || t.key || ' to ' || :data.memberName,
       json_array(json_object(
           'field', 'assignees', 'from', NULL, 'to', :data.memberID, 'fromDisplay', NULL, 'toDisplay', :data.memberName))
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskUnassigned
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Unassigned ' || :data.memberName || ' from ' || t.key,
       json_array(json_object(
           'field', 'assignees', 'from', :data.memberID, 'to', NULL, 'fromDisplay', :data.memberName, 'toDisplay', NULL))
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskPriorityChanged, TaskDatesChanged, TaskEstimateChanged, TaskParentChanged, TaskAddedToMilestone, TaskRemovedFromMilestone
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Changed ' || t.key || ': ' || ch.list,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END)
LEFT JOIN (
    SELECT group_concat(
        CASE
            WHEN c.value ->> '$.field' = 'description' THEN 'description changed'
            WHEN c.value -> '$.from' IS NULL OR c.value ->> '$.fromDisplay' = '' THEN
                (c.value ->> '$.field') || ' set to ' || coalesce(nullif(c.value ->> '$.toDisplay', ''), 'nothing')
            WHEN c.value -> '$.to' IS NULL OR c.value ->> '$.toDisplay' = '' THEN (c.value ->> '$.field') || ' cleared'
            ELSE (c.value ->> '$.field') || ' ' || (c.value ->> '$.fromDisplay') || ' → ' || (c.value ->> '$.toDisplay')
        END, '; ') AS list
    FROM json_each(:data, '$.changes') AS c) AS ch;

-- on: TaskLabelsChanged
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Changed the labels of ' || t.key || ':'
       || coalesce((SELECT group_concat(' +' || value, '') FROM json_each(:data, '$.added')), '')
       || coalesce((SELECT group_concat(' -' || value, '') FROM json_each(:data, '$.removed')), ''),
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskMoved
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Moved ' || t.key || ' from ' || :data.fromName || ' to ' || :data.toName
       || CASE WHEN :data.approvalID IS NOT NULL THEN ' (approval ' || :data.approvalID || ')' ELSE '' END
       || CASE WHEN :data.wipLimitExceeded THEN ', over the WIP limit' ELSE '' END,
       json_array(json_object(
           'field', 'state', 'from', :data.from, 'to', :data.to, 'fromDisplay', :data.fromName, 'toDisplay', :data.toName))
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskReordered
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Reordered ' || t.key || ' in ' || coalesce(s.name, :data.state),
       json_array(json_object(
           'field', 'rank', 'from', :data.from, 'to', :data.to, 'fromDisplay', :data.from, 'toDisplay', :data.to))
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END)
LEFT JOIN workflow_states AS s ON s.workflow = t.workflow AND s.version = t.version AND s.state = :data.state;

-- on: TaskCompleted
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Completed ' || t.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskReopened
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Reopened ' || t.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskArchived
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Archived ' || t.key || ' "' || t.title || '"',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskUnarchived
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Unarchived ' || t.key || ' "' || t.title || '"',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskBecameOverdue
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       t.key || ' became overdue (due ' || :data.dueDate || ')',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskWorkflowMigrated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Migrated ' || t.key || ' to version ' || :data.to.version || ': ' || :data.fromName || ' → ' || :data.toName,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskDeleted
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Deleted ' || t.key || ' "' || t.title || '"',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: TaskRestored
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Restored ' || t.key || ' "' || t.title || '"',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: CommentAdded
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Commented on ' || t.key || ': '
       || CASE WHEN length(:data.body) > 60 THEN substr(:data.body, 1, 59) || '…' ELSE :data.body END,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: CommentEdited
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Edited comment ' || :data.commentID || ' on ' || t.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: CommentDeleted
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Deleted comment ' || :data.commentID || ' on ' || t.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: CommentRestored
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Restored comment ' || :data.commentID || ' on ' || t.key,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: ApprovalRequested
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Requested approval to move ' || t.key || ' from ' || coalesce(sf.name, :data.from) || ' to '
       || coalesce(st.name, :data.to),
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END)
LEFT JOIN workflow_states AS sf ON sf.workflow = t.workflow AND sf.version = t.version AND sf.state = :data.from
LEFT JOIN workflow_states AS st ON st.workflow = t.workflow AND st.version = t.version AND st.state = :data.to;

-- on: ApprovalDecisionRecorded
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       coalesce(m.name, :data.approver) || CASE :data.decision WHEN 'approve' THEN ' approved ' ELSE ' rejected ' END
       || t.key || CASE WHEN :data.comment IS NOT NULL THEN ': ' || :data.comment ELSE '' END,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END)
LEFT JOIN members AS m ON m.member = :data.approver;

-- on: ApprovalGranted
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Approval ' || :data.approvalID || ' of ' || t.key || ' granted',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: ApprovalRejected
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Approval ' || :data.approvalID || ' of ' || t.key || ' rejected',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: ApprovalCancelled
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Approval ' || :data.approvalID || ' of ' || t.key || ' cancelled'
       || CASE WHEN :data.reason IS NOT NULL THEN ': ' || :data.reason ELSE '' END,
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: ApprovalExpired
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Approval ' || :data.approvalID || ' of ' || t.key || ' expired',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END);

-- on: ReminderRuleCreated
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Created reminder rule "' || :data.definition.name || '"',
       NULL
FROM (SELECT 1) AS one;

-- on: ReminderRuleChanged
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Changed reminder rule "' || :data.definition.name || '"',
       NULL
FROM (SELECT 1) AS one;

-- on: ReminderRuleDisabled
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Disabled reminder rule "' || coalesce(r.name, :data.ruleID) || '"',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN reminder_rules AS r ON r.rule = :data.ruleID;

-- on: ReminderRuleEnabled
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Enabled reminder rule "' || coalesce(r.name, :data.ruleID) || '"',
       NULL
FROM (SELECT 1) AS one
LEFT JOIN reminder_rules AS r ON r.rule = :data.ruleID;

-- on: ReminderFired
INSERT OR REPLACE INTO summary (id, position, text, changes)
SELECT 1, :position,
       'Reminder "' || coalesce(r.name, :data.ruleID) || '" fired for ' || coalesce(t.key, :data.taskID) || ' to '
       || coalesce((SELECT group_concat(coalesce(mm.name, e.value), ', ')
                    FROM json_each(:data, '$.recipients') AS e LEFT JOIN members AS mm ON mm.member = e.value), 'nobody'),
       NULL
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END)
LEFT JOIN reminder_rules AS r ON r.rule = :data.ruleID;

-- on: *
-- Runs after the sections above, so an event's own names (a new member, task or project) are known; the
-- summary and derived changes come from the type's section (the `summary` row of this position), else
-- "<type> on <stream>".
INSERT INTO events (
    position, id, at, actor, actor_name, actor_kind, token, origin, request, correlation, causation, type, stream,
    stream_version, summary, changes, data)
SELECT :position, :id, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :ext.actorkind, :ext.tokenid,
    :ext.origin, :ext.requestid, :ext.correlationid, :ext.causationid, :type, :stream, :streamversion,
    coalesce(s.text, :type || ' on ' || :stream), coalesce(:data.changes, s.changes), :data
FROM (SELECT 1) AS one
LEFT JOIN summary AS s ON s.id = 1 AND s.position = :position;

-- schema: after build
-- The filters' indexes are only read by the queries: a build creates each once at the end, by sorting,
-- instead of inserting into four of them at random places for every event.
CREATE INDEX events_by_actor ON events (actor, position);
CREATE INDEX events_by_type ON events (type, position);
CREATE INDEX events_by_stream ON events (stream, position);
CREATE INDEX events_by_at ON events (at);
-- The full-text index is filled in one pass once a build has caught up (per event it cost ~4x more),
-- then kept by the `batch: after build` statement below for every transaction after that.
CREATE VIRTUAL TABLE events_text USING fts5(summary, payload, content = '', tokenize = 'unicode61');
INSERT INTO events_text (rowid, summary, payload) SELECT position, summary, data FROM events;

-- batch: after build
-- The full-text rows of a transaction's events, added in one statement at its end. Not per event (a
-- trigger did that before): SQLite 3.40's FTS5 writes the terms it holds out as a new segment at every
-- statement savepoint, and this file's `INSERT … SELECT` statements open one per event, so each event
-- became a segment of its own to write and merge; live, the index cost ~30 µs per event that way.
INSERT INTO events_text (rowid, summary, payload)
SELECT position, summary, data FROM events WHERE position BETWEEN :first_position AND :last_position;

-- query: events(actor = NULL, type = NULL, stream = NULL, stream_prefix = NULL, from: time = NULL, to: time = NULL, text = NULL, match = NULL, limit = 50)
-- description: The trail, newest first, filtered by actor, type (one or a comma-separated list), stream, stream prefix, time range and full text; paged by cursor.
-- cursor: position
-- One branch per index a filter can start from. SQLite plans a query once, for any parameters: with
-- the filters alone, `stream = :stream` could never use its index (the `:stream IS NULL OR …` around
-- it), so a page of a rare stream, actor or type scanned the trail from the newest event until it had
-- its rows: ~0.6 s at 1M events, now a few ms (and their totals too). The guards exclude one another,
-- so exactly one branch runs (the others stop at their constant guard) and every branch applies every
-- filter; each is ordered and limited by its own index (the narrow prefix's sorts its few rows). As
-- only one branch has rows, they are already in order: an ORDER BY around the UNION ALL would merge the
-- branches row by row. The price: the query counted for a total of the whole trail takes about twice
-- as long as one SELECT would (measured in docs/projections.md); the `-- total:` statement after the
-- query counts such totals from an index instead.
-- A time range bounds the positions each branch reads (`span`: the first position in the range and the
-- one past its last): `at` has its own index, so finding them costs a walk over the range's index
-- entries, and then every branch seeks straight to them (one upper bound, with the cursor's, so that
-- SQLite seeks on it rather than checking it row by row). Without the bounds, a day two months back was
-- found by walking the trail from its newest event to that day (~0.3 s at 1M events), and its last
-- page walked on to the first event. `at` need not grow with the position (two commands decided in one
-- order can commit in the other), so the bounds are looked up, never assumed from the times.
-- The upper bound is looked up for a first page (a cursor already seeks) when the trail after the range
-- is longer, in time, than the range: the walk it saves is longer than the lookup. The lower bound stops
-- a page that runs out of rows in the range (the last page, or selective filters) from walking on to the
-- first event; as it is looked up for every page, only when the trail before the range is more than
-- four times longer than the range. An empty range gives no rows.
WITH trail AS (SELECT (SELECT min(at) FROM events) AS oldest, (SELECT max(at) FROM events) AS newest),
span (first, past) AS (
    SELECT
        CASE WHEN :from IS NOT NULL
                  AND julianday(:from) - julianday(oldest) > 4 * (julianday(coalesce(:to, newest)) - julianday(:from))
             THEN coalesce((SELECT min(position) FROM events WHERE at >= :from AND at < coalesce(:to, '~')), 9223372036854775807)
             ELSE 0 END,
        CASE WHEN :to IS NOT NULL AND :cursor_position IS NULL
                  AND julianday(newest) - julianday(:to) > julianday(:to) - julianday(coalesce(:from, oldest))
             THEN coalesce((SELECT max(position) FROM events WHERE at >= coalesce(:from, '') AND at < :to) + 1, 0)
             ELSE 9223372036854775807 END
    FROM trail),
-- Whether a stream prefix names fewer than 10,000 events (counting stops there): then its streams' rows,
-- found through the stream index and sorted, are fewer than a walk of the trail would read before
-- finding them (`project-` is 887 of 1M events; a page of them walked ~0.3 s of the trail). A broad
-- prefix (`task-`) is found at once by the walk.
prefix (narrow) AS (
    SELECT :stream_prefix IS NOT NULL AND (
        SELECT count(*) FROM (
            SELECT 1 FROM events WHERE stream >= :stream_prefix AND stream < :stream_prefix || char(1114111) LIMIT 10000)
        ) < 10000),
-- What the branches seek on. A guard holding a subquery is evaluated row by row (SQLite hoists only
-- guards of parameters and constants out of the loop): a branch left out by the prefix's count would
-- still walk its index, testing each row. So the count is folded into the bounds the branches seek
-- on, which are evaluated once: the narrow prefix's branch gets an empty stream range unless the prefix
-- is narrow, and the branches after it an empty position range when it is.
bounds (first, past, past_after_prefix, prefix_low, prefix_high) AS (
    SELECT span.first, span.past, CASE WHEN prefix.narrow THEN 0 ELSE span.past END,
           CASE WHEN prefix.narrow THEN :stream_prefix ELSE '' END,
           CASE WHEN prefix.narrow THEN :stream_prefix || char(1114111) ELSE '' END
    FROM span, prefix)
-- a stream: its index (stream, position)
SELECT * FROM (
    SELECT e.position, e.at, e.actor, e.actor_name, e.actor_kind, e.token, e.origin, e.type, e.stream, e.stream_version,
           e.summary, e.changes AS changes_json
    FROM events AS e
    WHERE :stream IS NOT NULL AND e.stream = :stream
      AND e.position >= (SELECT first FROM bounds)
      AND e.position < min(coalesce(:cursor_position, 9223372036854775807), (SELECT past FROM bounds))
      AND (:actor IS NULL OR e.actor = :actor)
      AND (:type IS NULL OR instr(',' || replace(:type, ' ', '') || ',', ',' || e.type || ',') > 0)
      AND (:stream IS NULL OR e.stream = :stream)
      AND (:stream_prefix IS NULL OR substr(e.stream, 1, length(:stream_prefix)) = :stream_prefix)
      AND (:from IS NULL OR e.at >= :from)
      AND (:to IS NULL OR e.at < :to)
      AND (:text IS NULL OR e.position IN (
               SELECT rowid FROM events_text WHERE events_text MATCH '"' || replace(:text, '"', '""') || '"'))
      AND (:match IS NULL OR e.position IN (SELECT rowid FROM events_text WHERE events_text MATCH :match))
    ORDER BY e.position DESC
    LIMIT :limit)
UNION ALL
-- else an actor: its index (actor, position)
SELECT * FROM (
    SELECT e.position, e.at, e.actor, e.actor_name, e.actor_kind, e.token, e.origin, e.type, e.stream, e.stream_version,
           e.summary, e.changes AS changes_json
    FROM events AS e
    WHERE :stream IS NULL AND :actor IS NOT NULL AND e.actor = :actor
      AND e.position >= (SELECT first FROM bounds)
      AND e.position < min(coalesce(:cursor_position, 9223372036854775807), (SELECT past FROM bounds))
      AND (:actor IS NULL OR e.actor = :actor)
      AND (:type IS NULL OR instr(',' || replace(:type, ' ', '') || ',', ',' || e.type || ',') > 0)
      AND (:stream IS NULL OR e.stream = :stream)
      AND (:stream_prefix IS NULL OR substr(e.stream, 1, length(:stream_prefix)) = :stream_prefix)
      AND (:from IS NULL OR e.at >= :from)
      AND (:to IS NULL OR e.at < :to)
      AND (:text IS NULL OR e.position IN (
               SELECT rowid FROM events_text WHERE events_text MATCH '"' || replace(:text, '"', '""') || '"'))
      AND (:match IS NULL OR e.position IN (SELECT rowid FROM events_text WHERE events_text MATCH :match))
    ORDER BY e.position DESC
    LIMIT :limit)
UNION ALL
-- else a narrow stream prefix: its streams' rows through the stream index, sorted (at most 10,000)
SELECT * FROM (
    SELECT e.position, e.at, e.actor, e.actor_name, e.actor_kind, e.token, e.origin, e.type, e.stream, e.stream_version,
           e.summary, e.changes AS changes_json
    FROM events AS e INDEXED BY events_by_stream
    WHERE :stream IS NULL AND :actor IS NULL
      AND e.stream >= (SELECT prefix_low FROM bounds) AND e.stream < (SELECT prefix_high FROM bounds)
      AND e.position >= (SELECT first FROM bounds)
      AND e.position < min(coalesce(:cursor_position, 9223372036854775807), (SELECT past FROM bounds))
      AND (:actor IS NULL OR e.actor = :actor)
      AND (:type IS NULL OR instr(',' || replace(:type, ' ', '') || ',', ',' || e.type || ',') > 0)
      AND (:stream IS NULL OR e.stream = :stream)
      AND (:stream_prefix IS NULL OR substr(e.stream, 1, length(:stream_prefix)) = :stream_prefix)
      AND (:from IS NULL OR e.at >= :from)
      AND (:to IS NULL OR e.at < :to)
      AND (:text IS NULL OR e.position IN (
               SELECT rowid FROM events_text WHERE events_text MATCH '"' || replace(:text, '"', '""') || '"'))
      AND (:match IS NULL OR e.position IN (SELECT rowid FROM events_text WHERE events_text MATCH :match))
    ORDER BY e.position DESC
    LIMIT :limit)
UNION ALL
-- else one type: its index (type, position)
SELECT * FROM (
    SELECT e.position, e.at, e.actor, e.actor_name, e.actor_kind, e.token, e.origin, e.type, e.stream, e.stream_version,
           e.summary, e.changes AS changes_json
    FROM events AS e
    WHERE :stream IS NULL AND :actor IS NULL AND :type IS NOT NULL AND instr(:type, ',') = 0
      AND e.type = replace(:type, ' ', '')
      AND e.position >= (SELECT first FROM bounds)
      AND e.position < min(coalesce(:cursor_position, 9223372036854775807), (SELECT past_after_prefix FROM bounds))
      AND (:actor IS NULL OR e.actor = :actor)
      AND (:type IS NULL OR instr(',' || replace(:type, ' ', '') || ',', ',' || e.type || ',') > 0)
      AND (:stream IS NULL OR e.stream = :stream)
      AND (:stream_prefix IS NULL OR substr(e.stream, 1, length(:stream_prefix)) = :stream_prefix)
      AND (:from IS NULL OR e.at >= :from)
      AND (:to IS NULL OR e.at < :to)
      AND (:text IS NULL OR e.position IN (
               SELECT rowid FROM events_text WHERE events_text MATCH '"' || replace(:text, '"', '""') || '"'))
      AND (:match IS NULL OR e.position IN (SELECT rowid FROM events_text WHERE events_text MATCH :match))
    ORDER BY e.position DESC
    LIMIT :limit)
UNION ALL
-- else (no filter, a list of types, a broad prefix, times or text alone): the trail itself, newest first
SELECT * FROM (
    SELECT e.position, e.at, e.actor, e.actor_name, e.actor_kind, e.token, e.origin, e.type, e.stream, e.stream_version,
           e.summary, e.changes AS changes_json
    FROM events AS e
    WHERE :stream IS NULL AND :actor IS NULL AND (:type IS NULL OR instr(:type, ',') > 0)
      AND e.position >= (SELECT first FROM bounds)
      AND e.position < min(coalesce(:cursor_position, 9223372036854775807), (SELECT past_after_prefix FROM bounds))
      AND (:actor IS NULL OR e.actor = :actor)
      AND (:type IS NULL OR instr(',' || replace(:type, ' ', '') || ',', ',' || e.type || ',') > 0)
      AND (:stream IS NULL OR e.stream = :stream)
      AND (:stream_prefix IS NULL OR substr(e.stream, 1, length(:stream_prefix)) = :stream_prefix)
      AND (:from IS NULL OR e.at >= :from)
      AND (:to IS NULL OR e.at < :to)
      AND (:text IS NULL OR e.position IN (
               SELECT rowid FROM events_text WHERE events_text MATCH '"' || replace(:text, '"', '""') || '"'))
      AND (:match IS NULL OR e.position IN (SELECT rowid FROM events_text WHERE events_text MATCH :match))
    ORDER BY e.position DESC
    LIMIT :limit);
-- total:
-- The total counts the rows straight from an index where one answers the filters, instead of running
-- the query without a limit, whose rows each pass through a branch's subquery (the whole trail's total
-- took ~1.8 s at 1M events, now ~16 ms): no filter; a stream or an actor, with any other filter but
-- full text; a stream prefix alone; a time range, with or without types; one type; a list of types.
-- With full text, or a stream prefix beside a type or a time range, it is NULL and the engine counts
-- the query's rows. Each case applies the query's own filters, written as the query writes them;
-- `AuditRangeTests` checks the totals against a plain filter of the rows, and
-- `Benchmarks/audit-filters.py` against the query's own count on a 1M-event trail.
SELECT CASE
    WHEN :text IS NOT NULL OR :match IS NOT NULL THEN NULL
    WHEN :stream IS NOT NULL THEN (
        SELECT count(*) FROM events
        WHERE stream = :stream
          AND (:actor IS NULL OR actor = :actor)
          AND (:type IS NULL OR instr(',' || replace(:type, ' ', '') || ',', ',' || type || ',') > 0)
          AND (:stream_prefix IS NULL OR substr(stream, 1, length(:stream_prefix)) = :stream_prefix)
          AND (:from IS NULL OR at >= :from)
          AND (:to IS NULL OR at < :to))
    WHEN :actor IS NOT NULL THEN (
        SELECT count(*) FROM events
        WHERE actor = :actor
          AND (:type IS NULL OR instr(',' || replace(:type, ' ', '') || ',', ',' || type || ',') > 0)
          AND (:stream_prefix IS NULL OR substr(stream, 1, length(:stream_prefix)) = :stream_prefix)
          AND (:from IS NULL OR at >= :from)
          AND (:to IS NULL OR at < :to))
    WHEN :stream_prefix IS NOT NULL THEN (
        SELECT count(*) FROM events
        WHERE :type IS NULL AND :from IS NULL AND :to IS NULL
          AND stream >= :stream_prefix AND stream < :stream_prefix || char(1114111)
          AND substr(stream, 1, length(:stream_prefix)) = :stream_prefix
        HAVING :type IS NULL AND :from IS NULL AND :to IS NULL)
    WHEN :from IS NOT NULL OR :to IS NOT NULL THEN (
        SELECT count(*) FROM events
        WHERE at >= coalesce(:from, '') AND at < coalesce(:to, char(1114111))
          AND (:type IS NULL OR instr(',' || replace(:type, ' ', '') || ',', ',' || type || ',') > 0))
    WHEN :type IS NULL THEN (SELECT count(*) FROM events)
    WHEN instr(:type, ',') = 0 THEN (SELECT count(*) FROM events WHERE type = replace(:type, ' ', ''))
    ELSE (SELECT count(*) FROM events WHERE instr(',' || replace(:type, ' ', '') || ',', ',' || type || ',') > 0)
END;

-- query: event(position)
-- description: One event of the trail with its whole payload and request metadata.
SELECT e.position, e.id, e.at, e.actor, e.actor_name, e.actor_kind, e.token, e.origin, e.request, e.correlation, e.causation,
       e.type, e.stream, e.stream_version, e.summary, e.changes AS changes_json, e.data AS data_json
FROM events AS e
WHERE e.position = :position;
