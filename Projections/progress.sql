-- projection: progress
-- description: Per project: counts and estimate sums by state category, % done, overdue, work by assignee, a daily burndown built from events, cycle time and time in each state.
-- version: 1

-- Definitions, so the numbers can be checked by hand:
-- * Progress uses state categories (backlog, unstarted, started, completed, canceled), never state
--   names. A task counts while it is live (not deleted). Estimates are summed per unit: `5pt` in the
--   `*_points` columns, `8h` in the `*_hours` columns; burndown in points uses `pt` estimates only.
-- * Scope is the live tasks not canceled; done is those of scope in the completed category;
--   remaining = scope - done. % done = done / scope. Overdue: due date before the day (UTC) of the latest
--   event seen, not completed or canceled.
-- * Burndown days are UTC days of the decision time (`:at`). Each task event that changes whether a
--   task is in scope or done, or its estimate, is booked on its day, so scope changes are honest: a task
--   added, deleted, restored, canceled or re-estimated moves the scope line on that day. Per day:
--   `added` / `removed` tasks entering / leaving scope, `completed` tasks entering done, `reopened` tasks
--   leaving done but staying in scope (a done task deleted or canceled leaves scope and done together:
--   `removed`, with no `reopened`); `scope`, `done`, `remaining` at the end of the day; `ideal` falls in
--   a straight line from the first day's remaining to 0 on the last day. `from` defaults to the
--   project's first day, `to` to the day of the latest event; at most 731 days.
-- * Cycle time: from the first entry into a started state (or creation, if it never started) to the
--   latest completion, in days, for live tasks in the completed category now; lead time: from creation.
-- * Time in state: for live tasks, all closed stays in each state plus the current stay up to the
--   latest event seen, in days; `visits` counts entries (creation counts as entering the initial state).

-- schema
CREATE TABLE projects (
    project TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    start_date TEXT,
    target_date TEXT
);
CREATE TABLE members (member TEXT PRIMARY KEY, name TEXT NOT NULL);
-- Column positions of every workflow version, to list states in board order.
CREATE TABLE workflow_states (
    workflow TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (workflow, version, state)
);
CREATE TABLE tasks (
    task TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    number INTEGER NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    workflow TEXT NOT NULL,
    workflow_version INTEGER NOT NULL,
    state TEXT NOT NULL,
    state_name TEXT NOT NULL,
    category TEXT NOT NULL,
    estimate TEXT,
    estimate_points INTEGER GENERATED ALWAYS AS (
        CASE WHEN estimate LIKE '%pt' THEN CAST(substr(estimate, 1, length(estimate) - 2) AS INTEGER) ELSE 0 END) STORED,
    estimate_hours INTEGER GENERATED ALWAYS AS (
        CASE WHEN estimate LIKE '%h' THEN CAST(substr(estimate, 1, length(estimate) - 1) AS INTEGER) ELSE 0 END) STORED,
    assignees TEXT NOT NULL DEFAULT '[]',
    due_date TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT,
    state_entered_at TEXT NOT NULL,
    -- The decision time of the change being applied: the burndown day the triggers book it on.
    changed_at TEXT NOT NULL,
    -- The milestone or sprint the task is in (at most one).
    milestone TEXT
);
CREATE TABLE milestones (
    milestone TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    start_date TEXT,
    due_date TEXT,
    -- planned | active | closed
    status TEXT NOT NULL DEFAULT 'planned',
    -- When a sprint started: how many tasks and points it took on (its scope snapshot).
    scope_tasks INTEGER,
    scope_points INTEGER,
    carried_over INTEGER
);
-- Per project and UTC day: what changed scope and done (see the rules above).
CREATE TABLE burn (
    project TEXT NOT NULL,
    day TEXT NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    reopened INTEGER NOT NULL,
    scope_delta INTEGER NOT NULL,
    done_delta INTEGER NOT NULL,
    added_points INTEGER NOT NULL,
    removed_points INTEGER NOT NULL,
    scope_points_delta INTEGER NOT NULL,
    done_points_delta INTEGER NOT NULL,
    PRIMARY KEY (project, day)
);
CREATE TRIGGER task_added AFTER INSERT ON tasks BEGIN
    INSERT INTO burn VALUES (
        NEW.project, date(NEW.changed_at),
        NEW.deleted = 0 AND NEW.category <> 'canceled', 0,
        NEW.deleted = 0 AND NEW.category = 'completed', 0,
        NEW.deleted = 0 AND NEW.category <> 'canceled', NEW.deleted = 0 AND NEW.category = 'completed',
        (NEW.deleted = 0 AND NEW.category <> 'canceled') * NEW.estimate_points, 0,
        (NEW.deleted = 0 AND NEW.category <> 'canceled') * NEW.estimate_points,
        (NEW.deleted = 0 AND NEW.category = 'completed') * NEW.estimate_points)
    ON CONFLICT (project, day) DO UPDATE SET
        added = added + excluded.added, completed = completed + excluded.completed,
        scope_delta = scope_delta + excluded.scope_delta, done_delta = done_delta + excluded.done_delta,
        added_points = added_points + excluded.added_points,
        scope_points_delta = scope_points_delta + excluded.scope_points_delta,
        done_points_delta = done_points_delta + excluded.done_points_delta;
END;
CREATE TRIGGER task_changed AFTER UPDATE OF deleted, category, estimate ON tasks BEGIN
    INSERT INTO burn
    SELECT NEW.project, date(NEW.changed_at),
           max(n_in - o_in, 0), max(o_in - n_in, 0),
           max(n_done - o_done, 0), (o_done AND NOT n_done AND n_in),
           n_in - o_in, n_done - o_done,
           max(n_in * n_points - o_in * o_points, 0), max(o_in * o_points - n_in * n_points, 0),
           n_in * n_points - o_in * o_points, n_done * n_points - o_done * o_points
    FROM (SELECT OLD.deleted = 0 AND OLD.category <> 'canceled' AS o_in,
                 OLD.deleted = 0 AND OLD.category = 'completed' AS o_done,
                 NEW.deleted = 0 AND NEW.category <> 'canceled' AS n_in,
                 NEW.deleted = 0 AND NEW.category = 'completed' AS n_done,
                 OLD.estimate_points AS o_points, NEW.estimate_points AS n_points)
    WHERE true
    ON CONFLICT (project, day) DO UPDATE SET
        added = added + excluded.added, removed = removed + excluded.removed,
        completed = completed + excluded.completed, reopened = reopened + excluded.reopened,
        scope_delta = scope_delta + excluded.scope_delta, done_delta = done_delta + excluded.done_delta,
        added_points = added_points + excluded.added_points, removed_points = removed_points + excluded.removed_points,
        scope_points_delta = scope_points_delta + excluded.scope_points_delta,
        done_points_delta = done_points_delta + excluded.done_points_delta;
END;
-- Closed stays per task and state, in seconds.
CREATE TABLE state_time (
    task TEXT NOT NULL,
    state TEXT NOT NULL,
    state_name TEXT NOT NULL,
    category TEXT NOT NULL,
    seconds REAL NOT NULL,
    visits INTEGER NOT NULL,
    PRIMARY KEY (task, state)
);
CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);

-- schema: after build
-- Only the queries use these; a build creates them once at the end instead of keeping them on every
-- task change.
CREATE INDEX tasks_by_milestone ON tasks (milestone, deleted, category);
CREATE INDEX tasks_by_project ON tasks (project, deleted, category);

-- on: ProjectCreated
INSERT OR REPLACE INTO projects (project, key, name, start_date, target_date)
VALUES (:data.projectID, :data.key, :data.name, :data.startDate, :data.targetDate);

-- on: ProjectUpdated
UPDATE projects SET name = :data.name, start_date = :data.startDate, target_date = :data.targetDate
WHERE project = :data.projectID;

-- on: MemberAdded
INSERT OR REPLACE INTO members (member, name) VALUES (:data.memberID, :data.displayName);

-- on: WorkflowVersionPublished
INSERT OR REPLACE INTO workflow_states (workflow, version, state, position)
SELECT :data.workflowID, :data.version, s.value ->> '$.id', s.value ->> '$.position'
FROM json_each(:data, '$.definition.states') AS s;

-- on: TaskCreated
INSERT INTO tasks (
    task, project, number, key, title, workflow, workflow_version, state, state_name, category, estimate, assignees, due_date, created_at, started_at,
    completed_at, state_entered_at, changed_at)
VALUES (
    :data.taskID, :data.projectID, :data.number, :data.key, :data.title, :data.workflow.workflow, :data.workflow.version,
    :data.state, :data.stateName, :data.category,
    :data.estimate, coalesce(:data.assignees, '[]'), :data.dueDate, :at, CASE WHEN :data.category = 'started' THEN :at END,
    CASE WHEN :data.category = 'completed' THEN :at END, :at, :at);
INSERT INTO state_time (task, state, state_name, category, seconds, visits)
VALUES (:data.taskID, :data.state, :data.stateName, :data.category, 0, 1);

-- on: TaskEdited
UPDATE tasks SET title = coalesce(:data.title, title) WHERE task = :data.taskID;

-- on: TaskAssigned
UPDATE tasks SET assignees = json_insert(assignees, '$[#]', :data.memberID)
WHERE task = :data.taskID AND NOT EXISTS (SELECT 1 FROM json_each(tasks.assignees) WHERE value = :data.memberID);

-- on: TaskUnassigned
UPDATE tasks SET assignees = (
    SELECT json_group_array(value) FROM (SELECT value FROM json_each(tasks.assignees) WHERE value <> :data.memberID ORDER BY key))
WHERE task = :data.taskID;

-- on: TaskDatesChanged
UPDATE tasks SET due_date = :data.dueDate WHERE task = :data.taskID;

-- on: TaskEstimateChanged
UPDATE tasks SET estimate = :data.estimate, changed_at = :at WHERE task = :data.taskID;

-- on: TaskMoved
-- Close the stay in the state being left, then enter the new one.
INSERT INTO state_time (task, state, state_name, category, seconds, visits)
SELECT task, state, state_name, category, (julianday(:at) - julianday(state_entered_at)) * 86400.0, 0
FROM tasks WHERE task = :data.taskID
ON CONFLICT (task, state) DO UPDATE SET seconds = seconds + excluded.seconds;
INSERT INTO state_time (task, state, state_name, category, seconds, visits)
VALUES (:data.taskID, :data.to, :data.toName, :data.toCategory, 0, 1)
ON CONFLICT (task, state) DO UPDATE SET visits = visits + 1, state_name = excluded.state_name;
UPDATE tasks SET
    state = :data.to, state_name = :data.toName, category = :data.toCategory, state_entered_at = :at, changed_at = :at,
    started_at = coalesce(started_at, CASE WHEN :data.toCategory = 'started' THEN :at END)
WHERE task = :data.taskID;

-- on: TaskCompleted
UPDATE tasks SET completed_at = :at WHERE task = :data.taskID;

-- on: TaskReopened
UPDATE tasks SET completed_at = NULL WHERE task = :data.taskID;

-- on: MilestoneCreated
INSERT INTO milestones (milestone, project, kind, name, start_date, due_date)
VALUES (:data.milestoneID, :data.projectID, :data.kind, :data.name, :data.startDate, :data.dueDate);

-- on: MilestoneUpdated
UPDATE milestones SET name = :data.name, start_date = :data.startDate, due_date = :data.dueDate WHERE milestone = :data.milestoneID;

-- on: SprintStarted
UPDATE milestones SET status = 'active', scope_tasks = json_array_length(:data, '$.scope'),
    scope_points = (SELECT coalesce(sum(CASE WHEN s.value ->> '$.estimate' LIKE '%pt'
                                        THEN CAST(substr(s.value ->> '$.estimate', 1, length(s.value ->> '$.estimate') - 2) AS INTEGER)
                                        ELSE 0 END), 0)
                    FROM json_each(:data, '$.scope') AS s)
WHERE milestone = :data.milestoneID;

-- on: SprintClosed
UPDATE milestones SET status = 'closed', carried_over = json_array_length(:data, '$.carriedOver') WHERE milestone = :data.milestoneID;

-- on: TaskAddedToMilestone
UPDATE tasks SET milestone = :data.milestoneID WHERE task = :data.taskID;

-- on: TaskRemovedFromMilestone
UPDATE tasks SET milestone = NULL WHERE task = :data.taskID AND milestone = :data.milestoneID;

-- on: TaskDeleted
UPDATE tasks SET deleted = 1, changed_at = :at WHERE task = :data.taskID;

-- on: TaskRestored
UPDATE tasks SET deleted = 0, changed_at = :at WHERE task = :data.taskID;

-- on: *
INSERT INTO clock (id, at) VALUES (1, :at) ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at);

-- query: summary(project)
-- description: The project's live tasks by state category (counts, points, hours), % done by count and by points, overdue and unestimated tasks.
SELECT p.project, p.key, p.name, p.start_date, p.target_date,
       count(t.task) AS tasks,
       coalesce(sum(t.category = 'backlog'), 0) AS backlog,
       coalesce(sum(t.category = 'unstarted'), 0) AS unstarted,
       coalesce(sum(t.category = 'started'), 0) AS started,
       coalesce(sum(t.category = 'completed'), 0) AS completed,
       coalesce(sum(t.category = 'canceled'), 0) AS canceled,
       coalesce(sum(CASE WHEN t.category = 'backlog' THEN t.estimate_points END), 0) AS backlog_points,
       coalesce(sum(CASE WHEN t.category = 'unstarted' THEN t.estimate_points END), 0) AS unstarted_points,
       coalesce(sum(CASE WHEN t.category = 'started' THEN t.estimate_points END), 0) AS started_points,
       coalesce(sum(CASE WHEN t.category = 'completed' THEN t.estimate_points END), 0) AS completed_points,
       coalesce(sum(CASE WHEN t.category = 'canceled' THEN t.estimate_points END), 0) AS canceled_points,
       coalesce(sum(t.estimate_hours), 0) AS hours,
       coalesce(sum(CASE WHEN t.category = 'completed' THEN t.estimate_hours END), 0) AS completed_hours,
       round(100.0 * sum(t.category = 'completed') / nullif(sum(t.category <> 'canceled'), 0), 1) AS done_percent,
       round(100.0 * sum(CASE WHEN t.category = 'completed' THEN t.estimate_points END)
             / nullif(sum(CASE WHEN t.category <> 'canceled' THEN t.estimate_points END), 0), 1) AS done_points_percent,
       coalesce(sum(t.due_date < date((SELECT at FROM clock)) AND t.category NOT IN ('completed', 'canceled')), 0) AS overdue,
       coalesce(sum(t.estimate IS NULL AND t.category NOT IN ('completed', 'canceled')), 0) AS unestimated
FROM projects AS p
LEFT JOIN tasks AS t ON t.project = p.project AND t.deleted = 0
WHERE p.project = :project
GROUP BY p.project;

-- query: by_assignee(project)
-- description: Live tasks per assignee (a task with two assignees counts for both; `member` null: unassigned), by category, with open points and overdue tasks.
SELECT a.member, CASE WHEN a.member IS NULL THEN 'Unassigned' ELSE coalesce(m.name, a.member) END AS name,
       count(*) AS tasks,
       sum(a.category IN ('backlog', 'unstarted')) AS not_started,
       sum(a.category = 'started') AS started,
       sum(a.category = 'completed') AS completed,
       sum(a.category = 'canceled') AS canceled,
       sum(CASE WHEN a.category NOT IN ('completed', 'canceled') THEN a.estimate_points ELSE 0 END) AS open_points,
       sum(CASE WHEN a.category = 'completed' THEN a.estimate_points ELSE 0 END) AS completed_points,
       sum(CASE WHEN a.due_date < date((SELECT at FROM clock)) AND a.category NOT IN ('completed', 'canceled') THEN 1 ELSE 0 END)
           AS overdue
FROM (
    SELECT e.value AS member, t.category, t.estimate_points, t.due_date
    FROM tasks AS t, json_each(t.assignees) AS e
    WHERE t.project = :project AND t.deleted = 0
    UNION ALL
    SELECT NULL, t.category, t.estimate_points, t.due_date
    FROM tasks AS t
    WHERE t.project = :project AND t.deleted = 0 AND json_array_length(t.assignees) = 0
) AS a
LEFT JOIN members AS m ON m.member = a.member
GROUP BY a.member
ORDER BY a.member IS NULL, name;

-- query: burndown(project, from: date = NULL, to: date = NULL)
-- description: One row per UTC day from `from` to `to` (inclusive): tasks added, removed, completed, reopened; scope, done, remaining and ideal at the end of the day, in tasks and in points.
WITH RECURSIVE
    bounds AS (
        SELECT coalesce(date(:from), (SELECT min(day) FROM burn WHERE project = :project)) AS first,
               coalesce(date(:to), date((SELECT at FROM clock))) AS last),
    days (day, n) AS (
        SELECT first, 0 FROM bounds WHERE first IS NOT NULL AND first <= last
        UNION ALL
        SELECT date(day, '+1 day'), n + 1 FROM days, bounds WHERE day < bounds.last AND n < 730),
    before AS (
        SELECT coalesce(sum(scope_delta), 0) AS scope, coalesce(sum(done_delta), 0) AS done,
               coalesce(sum(scope_points_delta), 0) AS scope_points, coalesce(sum(done_points_delta), 0) AS done_points
        FROM burn, bounds WHERE project = :project AND day < bounds.first),
    series AS (
        SELECT d.day, d.n,
               coalesce(b.added, 0) AS added, coalesce(b.removed, 0) AS removed,
               coalesce(b.completed, 0) AS completed, coalesce(b.reopened, 0) AS reopened,
               coalesce(b.added_points, 0) AS added_points, coalesce(b.removed_points, 0) AS removed_points,
               before.scope + sum(coalesce(b.scope_delta, 0)) OVER running AS scope,
               before.done + sum(coalesce(b.done_delta, 0)) OVER running AS done,
               before.scope_points + sum(coalesce(b.scope_points_delta, 0)) OVER running AS scope_points,
               before.done_points + sum(coalesce(b.done_points_delta, 0)) OVER running AS done_points
        FROM days AS d CROSS JOIN before LEFT JOIN burn AS b ON b.project = :project AND b.day = d.day
        WINDOW running AS (ORDER BY d.day ROWS UNBOUNDED PRECEDING)),
    shape AS (
        SELECT max(n) AS last_n,
               max(CASE WHEN n = 0 THEN scope - done END) AS remaining_first,
               max(CASE WHEN n = 0 THEN scope_points - done_points END) AS remaining_points_first
        FROM series)
SELECT s.day, s.added, s.removed, s.completed, s.reopened, s.scope, s.done, s.scope - s.done AS remaining,
       round(shape.remaining_first * (shape.last_n - s.n) * 1.0 / max(shape.last_n, 1), 2) AS ideal,
       s.added_points, s.removed_points, s.scope_points, s.done_points, s.scope_points - s.done_points AS remaining_points,
       round(shape.remaining_points_first * (shape.last_n - s.n) * 1.0 / max(shape.last_n, 1), 2) AS ideal_points
FROM series AS s CROSS JOIN shape
ORDER BY s.day;

-- query: cycle_time(project)
-- description: Completed live tasks by completion time, with cycle time (first start, or creation, to completion) and lead time (creation to completion) in days, and the project's averages.
SELECT t.task, t.key, t.title, t.created_at, t.started_at, t.completed_at,
       round(julianday(t.completed_at) - julianday(coalesce(t.started_at, t.created_at)), 2) AS cycle_days,
       round(julianday(t.completed_at) - julianday(t.created_at), 2) AS lead_days,
       round(avg(julianday(t.completed_at) - julianday(coalesce(t.started_at, t.created_at))) OVER (), 2) AS average_cycle_days,
       round(avg(julianday(t.completed_at) - julianday(t.created_at)) OVER (), 2) AS average_lead_days
FROM tasks AS t
WHERE t.project = :project AND t.deleted = 0 AND t.category = 'completed' AND t.completed_at IS NOT NULL
ORDER BY t.completed_at, t.number;

-- query: time_in_state(project)
-- description: Per state in board order, over the project's live tasks: days spent (closed stays plus current stays up to the latest event), visits, average days per visit, and tasks there now.
SELECT st.state, max(st.state_name) AS state_name, max(st.category) AS category,
       sum(st.visits) AS visits,
       round(sum(st.seconds + CASE WHEN t.state = st.state
                                   THEN (julianday((SELECT at FROM clock)) - julianday(t.state_entered_at)) * 86400.0
                                   ELSE 0 END) / 86400.0, 2) AS days,
       round(sum(st.seconds + CASE WHEN t.state = st.state
                                   THEN (julianday((SELECT at FROM clock)) - julianday(t.state_entered_at)) * 86400.0
                                   ELSE 0 END) / 86400.0 / nullif(sum(st.visits), 0), 2) AS average_days_per_visit,
       sum(t.state = st.state) AS tasks_now
FROM state_time AS st
JOIN tasks AS t ON t.task = st.task
LEFT JOIN workflow_states AS w ON w.workflow = t.workflow AND w.version = t.workflow_version AND w.state = st.state
WHERE t.project = :project AND t.deleted = 0
GROUP BY st.state
ORDER BY min(CASE st.category WHEN 'backlog' THEN 0 WHEN 'unstarted' THEN 1 WHEN 'started' THEN 2 WHEN 'completed' THEN 3 ELSE 4 END),
         min(w.position), st.state;

-- query: milestones(project)
-- description: Each milestone and sprint of the project with its live tasks by state category (counts and points), % done, overdue tasks, and a sprint's scope at start and carry-over at close.
SELECT ms.milestone, ms.kind, ms.name, ms.status, ms.start_date, ms.due_date,
       count(t.task) AS tasks,
       coalesce(sum(t.category IN ('backlog', 'unstarted')), 0) AS not_started,
       coalesce(sum(t.category = 'started'), 0) AS started,
       coalesce(sum(t.category = 'completed'), 0) AS completed,
       coalesce(sum(t.category = 'canceled'), 0) AS canceled,
       coalesce(sum(t.estimate_points), 0) AS points,
       coalesce(sum(CASE WHEN t.category = 'completed' THEN t.estimate_points END), 0) AS completed_points,
       round(100.0 * sum(t.category = 'completed') / nullif(sum(t.category <> 'canceled'), 0), 1) AS done_percent,
       round(100.0 * sum(CASE WHEN t.category = 'completed' THEN t.estimate_points END)
             / nullif(sum(CASE WHEN t.category <> 'canceled' THEN t.estimate_points END), 0), 1) AS done_points_percent,
       coalesce(sum(t.due_date < date((SELECT at FROM clock)) AND t.category NOT IN ('completed', 'canceled')), 0) AS overdue,
       ms.scope_tasks, ms.scope_points, ms.carried_over
FROM milestones AS ms
LEFT JOIN tasks AS t ON t.milestone = ms.milestone AND t.deleted = 0
WHERE ms.project = :project
GROUP BY ms.milestone
ORDER BY coalesce(ms.start_date, ms.due_date, '9999'), ms.name, ms.milestone;
