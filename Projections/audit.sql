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
-- `2026-10-05` or an RFC 3339 UTC time); `type` takes one type or a comma-separated list. Full text:
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
CREATE INDEX events_by_actor ON events (actor, position);
CREATE INDEX events_by_type ON events (type, position);
CREATE INDEX events_by_stream ON events (stream, position);
CREATE INDEX events_by_at ON events (at);
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

-- on: *
-- Runs after the sections above, so an event's own names (a new member, task or project) are known.
INSERT INTO events (
    position, id, at, actor, actor_name, actor_kind, token, origin, request, correlation, causation, type, stream,
    stream_version, summary, changes, data)
SELECT :position, :id, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :ext.actorkind, :ext.tokenid,
    :ext.origin, :ext.requestid, :ext.correlationid, :ext.causationid, :type, :stream, :streamversion,
    coalesce(CASE :type
        WHEN 'WorkspaceCreated' THEN 'Created workspace ' || :data.name
        WHEN 'WorkspaceSettingsChanged' THEN 'Changed workspace settings: ' || ch.list
        WHEN 'MemberAdded' THEN 'Added ' || :data.displayName || ' (' || :data.kind || ') as ' || :data.role
        WHEN 'MemberRoleChanged' THEN 'Changed the workspace role of ' || :data.memberName || ' from ' || :data.from || ' to ' || :data.to
        WHEN 'MemberRemoved' THEN 'Removed ' || :data.memberName || ' from the workspace'
        WHEN 'ProjectCreated' THEN 'Created project ' || :data.key || ' "' || :data.name || '"'
        WHEN 'ProjectUpdated' THEN 'Updated project ' || p.key || ': ' || ch.list
        WHEN 'ProjectArchived' THEN 'Archived project ' || p.key
        WHEN 'ProjectRestored' THEN 'Restored project ' || p.key
        WHEN 'ProjectMemberAdded' THEN 'Added ' || :data.memberName || ' to ' || p.key || ' as ' || :data.role
        WHEN 'ProjectMemberRoleChanged' THEN
            'Changed the role of ' || :data.memberName || ' in ' || p.key || ' from ' || :data.from || ' to ' || :data.to
        WHEN 'ProjectMemberRemoved' THEN 'Removed ' || :data.memberName || ' from ' || p.key
        WHEN 'ProjectWorkflowChanged' THEN
            'Pinned ' || p.key || ' to ' || coalesce(w.name, :data.to.workflow) || ' version ' || :data.to.version
            || ' (was version ' || :data.from.version || ')'
        WHEN 'LabelCreated' THEN 'Created label ' || :data.name || ' in ' || p.key
        WHEN 'LabelUpdated' THEN 'Updated label ' || :data.name || ' in ' || p.key || ': ' || ch.list
        WHEN 'LabelDeleted' THEN 'Deleted label ' || :data.name || ' in ' || p.key
        WHEN 'TasksMigratedToWorkflowVersion' THEN
            'Migrated the tasks of ' || p.key || ' from version ' || :data.from.version || ' to version ' || :data.to.version
        WHEN 'MilestoneCreated' THEN 'Created ' || :data.kind || ' "' || :data.name || '" in ' || coalesce(p.key, :data.projectID)
        WHEN 'MilestoneUpdated' THEN 'Updated "' || :data.name || '": ' || ch.list
        WHEN 'SprintStarted' THEN 'Started sprint ' || :data.milestoneID || ' with ' || json_array_length(:data, '$.scope') || ' tasks'
        WHEN 'SprintClosed' THEN
            'Closed sprint ' || :data.milestoneID || ': ' || json_array_length(:data, '$.completed') || ' completed, '
            || json_array_length(:data, '$.carriedOver') || ' carried over'
            || CASE WHEN :data.carriedOverTo IS NOT NULL THEN ' to ' || :data.carriedOverTo ELSE '' END
        WHEN 'DocumentAdded' THEN
            'Uploaded "' || :data.title || '" (' || :data.file.fileName || ', ' || :data.file.sizeBytes || ' bytes)'
        WHEN 'DocumentVersionAdded' THEN
            'Uploaded version ' || :data.version || ' of document ' || :data.documentID || ' (' || :data.file.fileName || ')'
        WHEN 'DocumentShared' THEN 'Shared document ' || :data.documentID || ' with ' || coalesce(:data.withDisplay, 'someone')
        WHEN 'DocumentUnshared' THEN 'Stopped sharing document ' || :data.documentID || ' with ' || coalesce(:data.withDisplay, 'someone')
        WHEN 'DocumentRemoved' THEN 'Removed document ' || :data.documentID
        WHEN 'TokenIssued' THEN 'Issued token ' || :data.tokenID || ' "' || :data.name || '" to ' || :data.memberName
        WHEN 'TokenRevoked' THEN
            'Revoked token ' || :data.tokenID || CASE WHEN :data.reason IS NOT NULL THEN ': ' || :data.reason ELSE '' END
        WHEN 'AccessDenied' THEN
            'Refused ' || :data.command || ' to ' || coalesce((SELECT name FROM members WHERE member = :data.memberID), :data.memberID)
            || ': missing ' || :data.permission
        WHEN 'WorkflowCreated' THEN 'Created workflow ' || :data.name
        WHEN 'WorkflowVersionPublished' THEN
            'Published version ' || :data.version || ' of workflow ' || coalesce(w.name, :data.workflowID) || ' ('
            || json_array_length(:data, '$.definition.states') || ' states, '
            || json_array_length(:data, '$.definition.transitions') || ' transitions)'
        WHEN 'TaskCreated' THEN 'Created ' || :data.key || ' "' || :data.title || '" in ' || :data.stateName
        WHEN 'TaskEdited' THEN 'Edited ' || t.key || ': ' || ch.list
        WHEN 'TaskAssigned' THEN 'Assigned ' || t.key || ' to ' || :data.memberName
        WHEN 'TaskUnassigned' THEN 'Unassigned ' || :data.memberName || ' from ' || t.key
        WHEN 'TaskPriorityChanged' THEN 'Changed ' || t.key || ': ' || ch.list
        WHEN 'TaskDatesChanged' THEN 'Changed ' || t.key || ': ' || ch.list
        WHEN 'TaskEstimateChanged' THEN 'Changed ' || t.key || ': ' || ch.list
        WHEN 'TaskLabelsChanged' THEN
            'Changed the labels of ' || t.key || ':'
            || coalesce((SELECT group_concat(' +' || value, '') FROM json_each(:data, '$.added')), '')
            || coalesce((SELECT group_concat(' -' || value, '') FROM json_each(:data, '$.removed')), '')
        WHEN 'TaskMoved' THEN
            'Moved ' || t.key || ' from ' || :data.fromName || ' to ' || :data.toName
            || CASE WHEN :data.approvalID IS NOT NULL THEN ' (approval ' || :data.approvalID || ')' ELSE '' END
            || CASE WHEN :data.wipLimitExceeded THEN ', over the WIP limit' ELSE '' END
        WHEN 'TaskReordered' THEN 'Reordered ' || t.key || ' in ' || coalesce(s.name, :data.state)
        WHEN 'TaskCompleted' THEN 'Completed ' || t.key
        WHEN 'TaskReopened' THEN 'Reopened ' || t.key
        WHEN 'TaskParentChanged' THEN 'Changed ' || t.key || ': ' || ch.list
        WHEN 'TaskAddedToMilestone' THEN 'Changed ' || t.key || ': ' || ch.list
        WHEN 'TaskRemovedFromMilestone' THEN 'Changed ' || t.key || ': ' || ch.list
        WHEN 'TaskArchived' THEN 'Archived ' || t.key || ' "' || t.title || '"'
        WHEN 'TaskUnarchived' THEN 'Unarchived ' || t.key || ' "' || t.title || '"'
        WHEN 'TaskBecameOverdue' THEN t.key || ' became overdue (due ' || :data.dueDate || ')'
        WHEN 'TaskWorkflowMigrated' THEN
            'Migrated ' || t.key || ' to version ' || :data.to.version || ': ' || :data.fromName || ' → ' || :data.toName
        WHEN 'TaskDeleted' THEN 'Deleted ' || t.key || ' "' || t.title || '"'
        WHEN 'TaskRestored' THEN 'Restored ' || t.key || ' "' || t.title || '"'
        WHEN 'CommentAdded' THEN
            'Commented on ' || t.key || ': '
            || CASE WHEN length(:data.body) > 60 THEN substr(:data.body, 1, 59) || '…' ELSE :data.body END
        WHEN 'CommentEdited' THEN 'Edited comment ' || :data.commentID || ' on ' || t.key
        WHEN 'CommentDeleted' THEN 'Deleted comment ' || :data.commentID || ' on ' || t.key
        WHEN 'CommentRestored' THEN 'Restored comment ' || :data.commentID || ' on ' || t.key
        WHEN 'ApprovalRequested' THEN
            'Requested approval to move ' || t.key || ' from ' || coalesce(sf.name, :data.from) || ' to '
            || coalesce(st.name, :data.to)
        WHEN 'ApprovalDecisionRecorded' THEN
            coalesce(m.name, :data.approver) || CASE :data.decision WHEN 'approve' THEN ' approved ' ELSE ' rejected ' END
            || t.key || CASE WHEN :data.comment IS NOT NULL THEN ': ' || :data.comment ELSE '' END
        WHEN 'ApprovalGranted' THEN 'Approval ' || :data.approvalID || ' of ' || t.key || ' granted'
        WHEN 'ApprovalRejected' THEN 'Approval ' || :data.approvalID || ' of ' || t.key || ' rejected'
        WHEN 'ApprovalCancelled' THEN
            'Approval ' || :data.approvalID || ' of ' || t.key || ' cancelled'
            || CASE WHEN :data.reason IS NOT NULL THEN ': ' || :data.reason ELSE '' END
        WHEN 'ApprovalExpired' THEN 'Approval ' || :data.approvalID || ' of ' || t.key || ' expired'
        WHEN 'ReminderRuleCreated' THEN 'Created reminder rule "' || :data.definition.name || '"'
        WHEN 'ReminderRuleChanged' THEN 'Changed reminder rule "' || :data.definition.name || '"'
        WHEN 'ReminderRuleDisabled' THEN 'Disabled reminder rule "' || coalesce(r.name, :data.ruleID) || '"'
        WHEN 'ReminderRuleEnabled' THEN 'Enabled reminder rule "' || coalesce(r.name, :data.ruleID) || '"'
        WHEN 'ReminderFired' THEN
            'Reminder "' || coalesce(r.name, :data.ruleID) || '" fired for ' || coalesce(t.key, :data.taskID) || ' to '
            || coalesce((SELECT group_concat(coalesce(mm.name, e.value), ', ')
                         FROM json_each(:data, '$.recipients') AS e LEFT JOIN members AS mm ON mm.member = e.value), 'nobody')
    END, :type || ' on ' || :stream),
    coalesce(
        :data.changes,
        CASE :type
            WHEN 'TaskMoved' THEN json_array(json_object(
                'field', 'state', 'from', :data.from, 'to', :data.to, 'fromDisplay', :data.fromName, 'toDisplay', :data.toName))
            WHEN 'TaskAssigned' THEN json_array(json_object(
                'field', 'assignees', 'from', NULL, 'to', :data.memberID, 'fromDisplay', NULL, 'toDisplay', :data.memberName))
            WHEN 'TaskUnassigned' THEN json_array(json_object(
                'field', 'assignees', 'from', :data.memberID, 'to', NULL, 'fromDisplay', :data.memberName, 'toDisplay', NULL))
            WHEN 'TaskReordered' THEN json_array(json_object(
                'field', 'rank', 'from', :data.from, 'to', :data.to, 'fromDisplay', :data.from, 'toDisplay', :data.to))
            WHEN 'MemberRoleChanged' THEN json_array(json_object(
                'field', 'role', 'from', :data.from, 'to', :data.to, 'fromDisplay', :data.from, 'toDisplay', :data.to))
            WHEN 'ProjectMemberRoleChanged' THEN json_array(json_object(
                'field', 'role', 'from', :data.from, 'to', :data.to, 'fromDisplay', :data.from, 'toDisplay', :data.to))
            WHEN 'ProjectWorkflowChanged' THEN json_array(json_object(
                'field', 'workflow', 'from', json(:data.from), 'to', json(:data.to),
                'fromDisplay', :data.from.workflow || ' v' || :data.from.version,
                'toDisplay', :data.to.workflow || ' v' || :data.to.version))
        END),
    :data
FROM (SELECT 1) AS one
LEFT JOIN tasks AS t ON t.task = coalesce(:data.taskID, CASE WHEN :stream LIKE 'task-%' THEN substr(:stream, 6) END)
LEFT JOIN projects AS p ON p.project = :data.projectID
LEFT JOIN workflows AS w ON w.workflow = coalesce(:data.workflowID, :data.to.workflow)
LEFT JOIN workflow_states AS s ON s.workflow = t.workflow AND s.version = t.version AND s.state = :data.state
LEFT JOIN workflow_states AS sf ON sf.workflow = t.workflow AND sf.version = t.version AND sf.state = :data.from
LEFT JOIN workflow_states AS st ON st.workflow = t.workflow AND st.version = t.version AND st.state = :data.to
LEFT JOIN members AS m ON m.member = :data.approver
LEFT JOIN reminder_rules AS r ON r.rule = :data.ruleID
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

-- schema: after build
-- The full-text index is filled in one pass once a build has caught up (per event it cost ~4x more),
-- then kept by the trigger for every event after that.
CREATE VIRTUAL TABLE events_text USING fts5(summary, payload, content = '', tokenize = 'unicode61');
INSERT INTO events_text (rowid, summary, payload) SELECT position, summary, data FROM events;
CREATE TRIGGER events_text_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_text (rowid, summary, payload) VALUES (NEW.position, NEW.summary, NEW.data);
END;

-- query: events(actor = NULL, type = NULL, stream = NULL, stream_prefix = NULL, from = NULL, to = NULL, text = NULL, match = NULL, limit = 50)
-- description: The trail, newest first, filtered by actor, type (one or a comma-separated list), stream, stream prefix, time range and full text; paged by cursor.
-- cursor: position
SELECT e.position, e.at, e.actor, e.actor_name, e.actor_kind, e.token, e.origin, e.type, e.stream, e.stream_version,
       e.summary, e.changes AS changes_json
FROM events AS e
WHERE (:cursor_position IS NULL OR e.position < :cursor_position)
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
LIMIT :limit;

-- query: event(position)
-- description: One event of the trail with its whole payload and request metadata.
SELECT e.position, e.id, e.at, e.actor, e.actor_name, e.actor_kind, e.token, e.origin, e.request, e.correlation, e.causation,
       e.type, e.stream, e.stream_version, e.summary, e.changes AS changes_json, e.data AS data_json
FROM events AS e
WHERE e.position = :position;
