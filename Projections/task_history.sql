-- projection: task_history
-- description: Every change to every task, one row per field changed: position, time, actor, field, raw from/to and display values, and a one-line summary.
-- version: 1

-- An event with several field changes (`changes` in its payload: TaskEdited, TaskDatesChanged, …) gives
-- one row per change, numbered by `seq` from 0; events without `changes` give one row whose field and
-- values are derived from the payload (TaskMoved: `state`, TaskAssigned: `assignees`, …). `from` and
-- `to` are the raw JSON values (ids, dates, lists); `from_display` and `to_display` what people read,
-- captured when it happened (state and member names as they were then). Rows are never updated: a
-- deleted task keeps its history, and a comment's text stays in the row that recorded it.

-- schema
CREATE TABLE members (member TEXT PRIMARY KEY, name TEXT NOT NULL);
-- Comment bodies, so that deleting or restoring one can say which comment it was.
CREATE TABLE comments (task TEXT NOT NULL, comment TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (task, comment));
-- State names of each task's workflow version (for approval requests, which carry state ids only).
CREATE TABLE workflow_states (
    workflow TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (workflow, version, state)
);
CREATE TABLE tasks (task TEXT PRIMARY KEY, workflow TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE history (
    task TEXT NOT NULL,
    position INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT,
    -- The actor's name as it was when they acted (a later rename or removal does not rewrite history):
    -- looked up by each insert rather than by a trigger updating the row it just wrote (twice the writes).
    actor_name TEXT,
    type TEXT NOT NULL,
    field TEXT,
    from_value TEXT,
    to_value TEXT,
    from_display TEXT,
    to_display TEXT,
    summary TEXT NOT NULL,
    PRIMARY KEY (task, position, seq)
);

-- on: MemberAdded
INSERT OR REPLACE INTO members (member, name) VALUES (:data.memberID, :data.displayName);

-- on: WorkflowVersionPublished
INSERT OR REPLACE INTO workflow_states (workflow, version, state, name)
SELECT :data.workflowID, :data.version, s.value ->> '$.id', s.value ->> '$.name'
FROM json_each(:data, '$.definition.states') AS s;

-- on: TaskCreated
INSERT OR REPLACE INTO tasks (task, workflow, version, state)
VALUES (:data.taskID, :data.workflow.workflow, :data.workflow.version, :data.state);
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, to_value, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'task', json_quote(:data.key), :data.title,
        'Created ' || :data.key || ' "' || :data.title || '" in ' || :data.stateName);

-- on: TaskMoved
UPDATE tasks SET state = :data.to WHERE task = :data.taskID;

-- on: TaskEdited, TaskPriorityChanged, TaskDatesChanged, TaskEstimateChanged, TaskLabelsChanged
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
SELECT :data.taskID, :position, c.seq, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, c.field, c.from_value, c.to_value, c.from_display, c.to_display,
       CASE
           WHEN c.field = 'description' THEN 'Changed the description'
           WHEN c.from_value IS NULL OR c.from_display = '' THEN
               'Set ' || c.field || ' to ' || coalesce(nullif(c.to_display, ''), 'nothing')
           WHEN c.to_value IS NULL OR c.to_display = '' THEN 'Cleared ' || c.field || ' (was ' || c.from_display || ')'
           ELSE 'Changed ' || c.field || ' from ' || c.from_display || ' to ' || c.to_display
       END
FROM (SELECT key AS seq, value ->> '$.field' AS field, value -> '$.from' AS from_value, value -> '$.to' AS to_value,
             value ->> '$.fromDisplay' AS from_display, value ->> '$.toDisplay' AS to_display
      FROM json_each(:data, '$.changes')) AS c;

-- on: TaskAssigned
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, to_value, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'assignees', json_quote(:data.memberID), :data.memberName,
        'Assigned ' || :data.memberName);

-- on: TaskUnassigned
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, from_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'assignees', json_quote(:data.memberID), :data.memberName,
        'Unassigned ' || :data.memberName);

-- on: TaskMoved
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'state', json_quote(:data.from), json_quote(:data.to),
        :data.fromName, :data.toName,
        'Moved from ' || :data.fromName || ' to ' || :data.toName
        || CASE WHEN :data.approvalID IS NOT NULL THEN ' (approval ' || :data.approvalID || ')' ELSE '' END
        || CASE WHEN :data.wipLimitExceeded THEN ', over the WIP limit' ELSE '' END);

-- on: TaskReordered
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'rank', json_quote(:data.from), json_quote(:data.to),
        :data.from, :data.to, 'Reordered within its column');

-- on: TaskCompleted
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'completed', 'false', 'true', 'no', 'yes', 'Completed');

-- on: TaskReopened
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'completed', 'true', 'false', 'yes', 'no', 'Reopened');

-- on: TaskDeleted
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'deleted', 'false', 'true', 'no', 'yes', 'Deleted the task');

-- on: TaskRestored
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'deleted', 'true', 'false', 'yes', 'no', 'Restored the task');

-- on: CommentAdded
INSERT OR REPLACE INTO comments (task, comment, body) VALUES (:data.taskID, :data.commentID, :data.body);
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, to_value, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'comment', json_quote(:data.commentID), :data.body,
        'Commented: ' || CASE WHEN length(:data.body) > 80 THEN substr(:data.body, 1, 79) || '…' ELSE :data.body END);

-- on: CommentEdited
UPDATE comments SET body = :data.body WHERE task = :data.taskID AND comment = :data.commentID;
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'comment', json_quote(:data.commentID), json_quote(:data.commentID),
        :data.previousBody, :data.body, 'Edited comment ' || :data.commentID);

-- on: CommentDeleted
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, from_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'comment', json_quote(:data.commentID),
        (SELECT body FROM comments WHERE task = :data.taskID AND comment = :data.commentID),
        'Deleted comment ' || :data.commentID);

-- on: CommentRestored
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, to_value, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'comment', json_quote(:data.commentID),
        (SELECT body FROM comments WHERE task = :data.taskID AND comment = :data.commentID),
        'Restored comment ' || :data.commentID);

-- on: ApprovalRequested
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, to_value, to_display, summary)
SELECT :data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'approval', json_quote(:data.approvalID), 'pending',
       'Requested approval to move to ' || coalesce(s.name, :data.to)
       || CASE WHEN :data.reason IS NOT NULL THEN ': ' || :data.reason ELSE '' END
FROM (SELECT 1) LEFT JOIN tasks AS t ON t.task = :data.taskID
LEFT JOIN workflow_states AS s ON s.workflow = t.workflow AND s.version = t.version AND s.state = :data.to;

-- on: ApprovalDecisionRecorded
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, to_value, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'approval', json_quote(:data.decision),
        CASE :data.decision WHEN 'approve' THEN 'approved' ELSE 'rejected' END,
        coalesce((SELECT name FROM members WHERE member = :data.approver), :data.approver)
        || CASE :data.decision WHEN 'approve' THEN ' approved' ELSE ' rejected' END
        || CASE WHEN :data.comment IS NOT NULL THEN ': ' || :data.comment ELSE '' END);

-- on: ApprovalGranted, ApprovalRejected, ApprovalCancelled, ApprovalExpired
INSERT INTO history (task, position, seq, at, actor, actor_name, type, field, from_value, to_value, from_display, to_display, summary)
VALUES (:data.taskID, :position, 0, :at, :ext.actor, (SELECT name FROM members WHERE member = :ext.actor), :type, 'approval', '"pending"',
        json_quote(CASE :type WHEN 'ApprovalGranted' THEN 'approved' WHEN 'ApprovalRejected' THEN 'rejected'
                              WHEN 'ApprovalCancelled' THEN 'cancelled' ELSE 'expired' END),
        'pending',
        CASE :type WHEN 'ApprovalGranted' THEN 'approved' WHEN 'ApprovalRejected' THEN 'rejected'
                   WHEN 'ApprovalCancelled' THEN 'cancelled' ELSE 'expired' END,
        'Approval ' || :data.approvalID || ' '
        || CASE :type WHEN 'ApprovalGranted' THEN 'granted' WHEN 'ApprovalRejected' THEN 'rejected'
                      WHEN 'ApprovalCancelled' THEN 'cancelled' ELSE 'expired' END
        || CASE WHEN :data.reason IS NOT NULL THEN ': ' || :data.reason ELSE '' END);


-- query: history(task, order = 'newest', limit = 50)
-- description: A task's changes, newest first (order = 'newest') or oldest first (order = 'oldest'), paged by cursor.
-- cursor: position, seq
SELECT h.position, h.seq, h.at, h.actor, h.actor_name, h.type, h.field,
       h.from_value AS from_json, h.to_value AS to_json, h.from_display, h.to_display, h.summary
FROM history AS h
WHERE h.task = :task
  AND (:cursor_position IS NULL
       OR (:order = 'oldest' AND (h.position, h.seq) > (:cursor_position, :cursor_seq))
       OR (:order <> 'oldest' AND (h.position, h.seq) < (:cursor_position, :cursor_seq)))
ORDER BY CASE WHEN :order = 'oldest' THEN h.position ELSE -h.position END,
         CASE WHEN :order = 'oldest' THEN h.seq ELSE -h.seq END
LIMIT :limit;
