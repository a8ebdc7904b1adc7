-- projection: activity
-- description: Who did what each day: per member and UTC day (of the decision time), the number of events they caused, by event type, overall and per project.
-- version: 1

-- An event counts for the member in its `actor` attribute (events without one are not counted). Its
-- project is the `projectID` of the payload, or the project of the task whose stream it is on; workspace,
-- workflow and reminder events have none (`project` null) and count only in the all-projects totals.

-- schema
CREATE TABLE members (member TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE task_projects (task TEXT PRIMARY KEY, project TEXT NOT NULL);
CREATE TABLE activity (
    member TEXT NOT NULL,
    day TEXT NOT NULL,
    project TEXT NOT NULL,
    type TEXT NOT NULL,
    events INTEGER NOT NULL,
    PRIMARY KEY (day, member, project, type)
);
CREATE INDEX activity_by_member ON activity (member, day);

-- on: MemberAdded
INSERT OR REPLACE INTO members (member, name) VALUES (:data.memberID, :data.displayName);

-- on: TaskCreated
INSERT OR REPLACE INTO task_projects (task, project) VALUES (:data.taskID, :data.projectID);

-- on: *
-- `project` is '' (not NULL) for events outside projects, so the primary key can hold it.
INSERT INTO activity (member, day, project, type, events)
SELECT :ext.actor, date(:at),
       coalesce(:data.projectID,
                (SELECT project FROM task_projects WHERE :stream LIKE 'task-%' AND task = substr(:stream, 6)), ''),
       :type, 1
WHERE :ext.actor IS NOT NULL
ON CONFLICT (day, member, project, type) DO UPDATE SET events = events + 1;

-- query: activity(member = NULL, project = NULL, from: date = NULL, to: date = NULL)
-- description: Per member per day (oldest first), the number of events and a count per event type; optionally for one member, one project, and days from `from` to `to` (inclusive, YYYY-MM-DD).
SELECT d.member, coalesce(m.name, d.member) AS name, d.day, sum(d.events) AS events,
       json_group_object(d.type, d.events) AS by_type_json
FROM (
    SELECT member, day, type, sum(events) AS events
    FROM activity
    WHERE (:member IS NULL OR member = :member)
      AND (:project IS NULL OR project = :project)
      AND (:from IS NULL OR day >= date(:from))
      AND (:to IS NULL OR day <= date(:to))
    GROUP BY member, day, type
    ORDER BY member, day, type
) AS d
LEFT JOIN members AS m ON m.member = d.member
GROUP BY d.day, d.member
ORDER BY d.day, d.member;
