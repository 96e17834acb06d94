from django.db import migrations

from crowdplatform.migration_operations import ReplaceFunction


class Migration(migrations.Migration):
    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('campaigns', '0007_campaign_texts_for_workers'),
        ('projects', '0003_screens_and_jobs'),
        ('results', '0009_replace_database_functions'),
        ('tasks', '0005_task_job_and_media_files'),
    ]

    operations = [
        ReplaceFunction(
            signature='crowd_claim_next(bigint, bigint, timestamptz, timestamptz)',
            sql="""
CREATE FUNCTION crowd_claim_next(p_campaign bigint, p_worker bigint, p_now timestamptz, p_expires timestamptz)
RETURNS TABLE (outcome text, assignment_id bigint, task_id bigint, task_position integer, task_input jsonb,
               task_results_needed integer)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $claim$
#variable_conflict use_column
DECLARE
    picked record;
    live integer;
    taken bigint;
BEGIN
    SELECT t."id", t."campaign_id", t."position", t."input", t."job_id", t."results_needed", t."is_open", t."reopen_at", t."created_at" INTO picked FROM tasks_task t WHERE t.id = COALESCE((SELECT t.id FROM tasks_task t
WHERE t.campaign_id = p_campaign AND t.reopen_at <= p_now AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = p_worker OFFSET 0)
ORDER BY t.reopen_at, t.position
LIMIT 1 FOR UPDATE SKIP LOCKED), (SELECT t.id FROM tasks_task t
WHERE t.campaign_id = p_campaign AND t.is_open AND t.position >= (SELECT min(o.position) FROM tasks_task o WHERE o.campaign_id = p_campaign AND o.is_open) AND t.position < (SELECT min(o.position) FROM tasks_task o WHERE o.campaign_id = p_campaign AND o.is_open) + 100 AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = p_worker OFFSET 0)
ORDER BY t.position
LIMIT 1 FOR UPDATE SKIP LOCKED), (SELECT t.id FROM tasks_task t
WHERE t.campaign_id = p_campaign AND t.is_open AND t.position > COALESCE((SELECT f.position FROM tasks_task f WHERE f.id = (SELECT max(m) FROM (SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'accepted' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'submitted' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'approved' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'rejected' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'soft_rejected' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'returned' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'skipped' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'expired' AND a.campaign_id = p_campaign) AS m) had)), -1) AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = p_worker OFFSET 0)
ORDER BY t.position
LIMIT 1 FOR UPDATE SKIP LOCKED), (SELECT t.id FROM tasks_task t
WHERE t.campaign_id = p_campaign AND t.is_open AND t.position >= (SELECT min(o.position) FROM tasks_task o WHERE o.campaign_id = p_campaign AND o.is_open) AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = p_worker OFFSET 0)
ORDER BY t.position
LIMIT 1 FOR UPDATE SKIP LOCKED));
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'none'::text, NULL::bigint, NULL::bigint, NULL::integer, NULL::jsonb, NULL::integer;
        RETURN;
    END IF;
    SELECT count(*) FILTER (WHERE (a.state IN ('submitted', 'approved', 'soft_rejected') OR (a.state = 'accepted' AND a.expires_at > p_now))) INTO live FROM results_assignment a WHERE a.task_id = picked.id;
    IF picked.results_needed <= live THEN
        RETURN QUERY SELECT 'stale'::text, NULL::bigint, picked.id, NULL::integer, NULL::jsonb, NULL::integer;
        RETURN;
    END IF;
    INSERT INTO results_assignment (task_id, campaign_id, worker_id, state, answers, accepted_at, expires_at,
                                feedback, updated_at)
VALUES (picked.id, p_campaign, p_worker, 'accepted', '{}', p_now, p_expires, '', p_now)
RETURNING id INTO taken;
    IF picked.results_needed <= live + 1 THEN
        UPDATE tasks_task SET is_open = false, reopen_at = (SELECT min(a.expires_at) FILTER (WHERE ((a.state = 'accepted' AND a.expires_at > p_now))) FROM results_assignment a WHERE a.task_id = picked.id) WHERE id = picked.id;
    END IF;
    RETURN QUERY SELECT 'taken'::text, taken, picked.id, picked.position::integer, picked.input,
                        picked.results_needed::integer;
END
$claim$
""",
            previous="""
CREATE FUNCTION crowd_claim_next(p_campaign bigint, p_worker bigint, p_now timestamptz, p_expires timestamptz)
RETURNS TABLE (outcome text, assignment_id bigint, task_id bigint, task_position integer, task_input jsonb,
               task_results_needed integer)
LANGUAGE plpgsql AS $claim$
#variable_conflict use_column
DECLARE
    picked record;
    live integer;
    taken bigint;
BEGIN
    SELECT t."id", t."campaign_id", t."position", t."input", t."job_id", t."results_needed", t."is_open", t."reopen_at", t."created_at" INTO picked FROM tasks_task t WHERE t.id = COALESCE((SELECT t.id FROM tasks_task t
WHERE t.campaign_id = p_campaign AND t.reopen_at <= p_now AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = p_worker)
ORDER BY t.reopen_at, t.position
LIMIT 1 FOR UPDATE SKIP LOCKED), (SELECT t.id FROM tasks_task t
WHERE t.campaign_id = p_campaign AND t.is_open AND t.position < (SELECT min(o.position) FROM tasks_task o WHERE o.campaign_id = p_campaign AND o.is_open) + 100 AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = p_worker)
ORDER BY t.position
LIMIT 1 FOR UPDATE SKIP LOCKED), (SELECT t.id FROM tasks_task t
WHERE t.campaign_id = p_campaign AND t.is_open AND t.position > COALESCE((SELECT f.position FROM tasks_task f WHERE f.id = (SELECT max(m) FROM (SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'accepted' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'submitted' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'approved' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'rejected' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'soft_rejected' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'returned' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'skipped' AND a.campaign_id = p_campaign) AS m UNION ALL SELECT (SELECT max(a.task_id) FROM results_assignment a WHERE a.worker_id = p_worker AND a.state = 'expired' AND a.campaign_id = p_campaign) AS m) had)), -1) AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = p_worker)
ORDER BY t.position
LIMIT 1 FOR UPDATE SKIP LOCKED), (SELECT t.id FROM tasks_task t
WHERE t.campaign_id = p_campaign AND t.is_open AND NOT EXISTS (SELECT 1 FROM results_assignment a WHERE a.task_id = t.id AND a.worker_id = p_worker)
ORDER BY t.position
LIMIT 1 FOR UPDATE SKIP LOCKED));
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'none'::text, NULL::bigint, NULL::bigint, NULL::integer, NULL::jsonb, NULL::integer;
        RETURN;
    END IF;
    SELECT count(*) INTO live FROM results_assignment a WHERE a.task_id = picked.id AND (a.state IN ('submitted', 'approved', 'soft_rejected') OR (a.state = 'accepted' AND a.expires_at > p_now));
    IF picked.results_needed <= live THEN
        RETURN QUERY SELECT 'stale'::text, NULL::bigint, picked.id, NULL::integer, NULL::jsonb, NULL::integer;
        RETURN;
    END IF;
    INSERT INTO results_assignment (task_id, campaign_id, worker_id, state, answers, accepted_at, expires_at,
                                feedback, updated_at)
VALUES (picked.id, p_campaign, p_worker, 'accepted', '{}', p_now, p_expires, '', p_now)
RETURNING id INTO taken;
    IF picked.results_needed <= live + 1 THEN
        UPDATE tasks_task SET is_open = false, reopen_at = (SELECT min(a.expires_at) FROM results_assignment a WHERE a.task_id = picked.id AND ((a.state = 'accepted' AND a.expires_at > p_now))) WHERE id = picked.id;
    END IF;
    RETURN QUERY SELECT 'taken'::text, taken, picked.id, picked.position::integer, picked.input,
                        picked.results_needed::integer;
END
$claim$
""",
        ),
        ReplaceFunction(
            signature='crowd_claim_offered(bigint, bigint, timestamptz, boolean)',
            sql="""
CREATE FUNCTION crowd_claim_offered(p_campaign bigint, p_worker bigint, p_now timestamptz,
                                   p_anonymous boolean)
RETURNS TABLE (outcome text, assignment_id bigint, task_id bigint, task_position integer, task_input jsonb,
               task_results_needed integer, campaign_name text, expires timestamptz)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $offered$
DECLARE
    offered record;
    v_expires timestamptz;
BEGIN
    SELECT c.name, c.time_allowed_s INTO offered
    FROM campaigns_campaign c JOIN projects_project p ON p.id = c.project_id
    WHERE c.id = p_campaign AND (c.state = 'active' AND p.active AND (c.start_at IS NULL OR c.start_at <= p_now) AND (c.end_at IS NULL OR c.end_at > p_now) AND (NOT (c.login_required) OR NOT (p_anonymous)) AND (NOT (c.restricted) OR (EXISTS (SELECT 1 FROM campaigns_campaign_worker_users wu WHERE wu.campaign_id = c.id AND wu.user_id = p_worker) OR EXISTS (SELECT 1 FROM campaigns_campaign_worker_groups wg JOIN auth_user_groups ug ON ug.group_id = wg.group_id WHERE wg.campaign_id = c.id AND ug.user_id = p_worker))) AND (NOT (p.restricted) OR (EXISTS (SELECT 1 FROM projects_project_worker_users wu WHERE wu.project_id = p.id AND wu.user_id = p_worker) OR EXISTS (SELECT 1 FROM projects_project_worker_groups wg JOIN auth_user_groups ug ON ug.group_id = wg.group_id WHERE wg.project_id = p.id AND ug.user_id = p_worker))))
      AND c.max_results_per_worker IS NULL AND c.tasks_staged = 0;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'check'::text, NULL::bigint, NULL::bigint, NULL::integer, NULL::jsonb,
                            NULL::integer, NULL::text, NULL::timestamptz;
        RETURN;
    END IF;
    v_expires := p_now + make_interval(secs => offered.time_allowed_s);
    RETURN QUERY SELECT n.outcome, n.assignment_id, n.task_id, n.task_position, n.task_input,
                        n.task_results_needed, offered.name::text, v_expires
                 FROM crowd_claim_next(p_campaign, p_worker, p_now, v_expires) n;
END
$offered$
""",
            previous="""
CREATE FUNCTION crowd_claim_offered(p_campaign bigint, p_worker bigint, p_now timestamptz,
                                   p_anonymous boolean)
RETURNS TABLE (outcome text, assignment_id bigint, task_id bigint, task_position integer, task_input jsonb,
               task_results_needed integer, campaign_name text, expires timestamptz)
LANGUAGE plpgsql AS $offered$
DECLARE
    offered record;
    v_expires timestamptz;
BEGIN
    SELECT c.name, c.time_allowed_s INTO offered
    FROM campaigns_campaign c JOIN projects_project p ON p.id = c.project_id
    WHERE c.id = p_campaign AND (c.state = 'active' AND p.active AND (c.start_at IS NULL OR c.start_at <= p_now) AND (c.end_at IS NULL OR c.end_at > p_now) AND (NOT (c.login_required) OR NOT (p_anonymous)) AND (NOT (c.restricted) OR (EXISTS (SELECT 1 FROM campaigns_campaign_worker_users wu WHERE wu.campaign_id = c.id AND wu.user_id = p_worker) OR EXISTS (SELECT 1 FROM campaigns_campaign_worker_groups wg JOIN auth_user_groups ug ON ug.group_id = wg.group_id WHERE wg.campaign_id = c.id AND ug.user_id = p_worker))) AND (NOT (p.restricted) OR (EXISTS (SELECT 1 FROM projects_project_worker_users wu WHERE wu.project_id = p.id AND wu.user_id = p_worker) OR EXISTS (SELECT 1 FROM projects_project_worker_groups wg JOIN auth_user_groups ug ON ug.group_id = wg.group_id WHERE wg.project_id = p.id AND ug.user_id = p_worker))))
      AND c.max_results_per_worker IS NULL AND c.tasks_staged = 0;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'check'::text, NULL::bigint, NULL::bigint, NULL::integer, NULL::jsonb,
                            NULL::integer, NULL::text, NULL::timestamptz;
        RETURN;
    END IF;
    v_expires := p_now + make_interval(secs => offered.time_allowed_s);
    RETURN QUERY SELECT n.outcome, n.assignment_id, n.task_id, n.task_position, n.task_input,
                        n.task_results_needed, offered.name::text, v_expires
                 FROM crowd_claim_next(p_campaign, p_worker, p_now, v_expires) n;
END
$offered$
""",
        ),
        ReplaceFunction(
            signature='crowd_submit(bigint, bigint, jsonb, timestamptz)',
            sql="""
CREATE FUNCTION crowd_submit(p_id bigint, p_worker bigint, p_answers jsonb, p_now timestamptz)
RETURNS TABLE (a_id bigint, a_task_id bigint, a_campaign_id bigint, a_worker_id integer, a_state varchar(16), a_answers jsonb, a_accepted_at timestamp with time zone, a_expires_at timestamp with time zone, a_submitted_at timestamp with time zone, a_closed_at timestamp with time zone, a_review_due_at timestamp with time zone, a_reviewed_at timestamp with time zone, a_reviewer_id integer, a_feedback text, a_redo_until timestamp with time zone, a_quality smallint, a_updated_at timestamp with time zone, c_id bigint, c_project_id bigint, c_name varchar(200), c_title varchar(200), c_est_duration_s integer, c_state varchar(12), c_results_per_task integer, c_max_results_per_worker integer, c_restricted boolean, c_time_allowed_s integer, c_start_at timestamp with time zone, c_end_at timestamp with time zone, c_login_required boolean, c_training boolean, c_filename varchar(200), c_payment_per_result numeric(12, 2), c_review_window_s integer, c_tasks_count integer, c_tasks_staged integer, c_commission_rate numeric(5, 4), c_fee_per_result numeric(12, 2), c_frozen_amount numeric(16, 2), c_archived_from varchar(12), c_created_by_id integer, c_created_at timestamp with time zone, c_updated_at timestamp with time zone, c_published_at timestamp with time zone, c_closed_at timestamp with time zone, t_id bigint, t_campaign_id bigint, t_position integer, t_input jsonb, t_job_id bigint, t_results_needed integer, t_is_open boolean, t_reopen_at timestamp with time zone, t_created_at timestamp with time zone)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $submit$
#variable_conflict use_column
DECLARE
    v_task bigint;
    v_full boolean;
    v_job boolean;
BEGIN
    -- The assignment, then its task, each by its key (see OWN_BY_ID for why not a join).
    SELECT a.task_id INTO v_task FROM results_assignment a WHERE a.id = p_id AND a.worker_id = p_worker;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT t.reopen_at IS NOT NULL, t.job_id IS NOT NULL INTO v_full, v_job FROM tasks_task t WHERE t.id = v_task;
    -- A job's task takes only answers shaped as a job's, which the caller has checked against its screens.
    IF v_job AND NOT p_answers ? 'screens' THEN
        RETURN;
    END IF;
    IF v_full THEN
        PERFORM 1 FROM tasks_task t WHERE t.id = v_task FOR UPDATE;
    END IF;
    UPDATE results_assignment AS a
SET state = 'submitted', answers = p_answers, submitted_at = p_now, review_due_at = p_now + make_interval(secs => c.review_window_s),
    updated_at = p_now
FROM campaigns_campaign c
WHERE a.id = p_id AND a.worker_id = p_worker AND c.id = a.campaign_id
  AND ((a.state = 'accepted' AND a.expires_at > p_now AND NOT (c.state IN ('cancelled', 'archived'))) OR (a.state = 'soft_rejected' AND a.redo_until > p_now AND NOT (c.state IN ('cancelled', 'archived'))));
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_full THEN
        UPDATE tasks_task SET is_open = NOT (tasks_task.results_needed <= held.live),
    reopen_at = CASE WHEN tasks_task.results_needed <= held.live THEN held.first_deadline END
FROM (SELECT count(*) FILTER (WHERE (a.state IN ('submitted', 'approved', 'soft_rejected') OR (a.state = 'accepted' AND a.expires_at > p_now))) AS live, min(a.expires_at) FILTER (WHERE ((a.state = 'accepted' AND a.expires_at > p_now))) AS first_deadline
      FROM results_assignment a WHERE a.task_id = v_task) held
WHERE tasks_task.id = v_task;
    END IF;
    RETURN QUERY SELECT a."id", a."task_id", a."campaign_id", a."worker_id", a."state", a."answers", a."accepted_at", a."expires_at", a."submitted_at", a."closed_at", a."review_due_at", a."reviewed_at", a."reviewer_id", a."feedback", a."redo_until", a."quality", a."updated_at", c."id", c."project_id", c."name", c."title", c."est_duration_s", c."state", c."results_per_task", c."max_results_per_worker", c."restricted", c."time_allowed_s", c."start_at", c."end_at", c."login_required", c."training", c."filename", c."payment_per_result", c."review_window_s", c."tasks_count", c."tasks_staged", c."commission_rate", c."fee_per_result", c."frozen_amount", c."archived_from", c."created_by_id", c."created_at", c."updated_at", c."published_at", c."closed_at", t."id", t."campaign_id", t."position", t."input", t."job_id", t."results_needed", t."is_open", t."reopen_at", t."created_at" FROM results_assignment a JOIN campaigns_campaign c ON c.id = a.campaign_id JOIN tasks_task t ON t.id = a.task_id WHERE a.id = p_id AND t.id = v_task;
END
$submit$
""",
            previous="""
CREATE FUNCTION crowd_submit(p_id bigint, p_worker bigint, p_answers jsonb, p_now timestamptz)
RETURNS TABLE (a_id bigint, a_task_id bigint, a_campaign_id bigint, a_worker_id integer, a_state varchar(16), a_answers jsonb, a_accepted_at timestamp with time zone, a_expires_at timestamp with time zone, a_submitted_at timestamp with time zone, a_closed_at timestamp with time zone, a_review_due_at timestamp with time zone, a_reviewed_at timestamp with time zone, a_reviewer_id integer, a_feedback text, a_redo_until timestamp with time zone, a_quality smallint, a_updated_at timestamp with time zone, c_id bigint, c_project_id bigint, c_name varchar(200), c_title varchar(200), c_est_duration_s integer, c_state varchar(12), c_results_per_task integer, c_max_results_per_worker integer, c_restricted boolean, c_time_allowed_s integer, c_start_at timestamp with time zone, c_end_at timestamp with time zone, c_login_required boolean, c_training boolean, c_filename varchar(200), c_payment_per_result numeric(12, 2), c_review_window_s integer, c_tasks_count integer, c_tasks_staged integer, c_commission_rate numeric(5, 4), c_fee_per_result numeric(12, 2), c_frozen_amount numeric(16, 2), c_archived_from varchar(12), c_created_by_id integer, c_created_at timestamp with time zone, c_updated_at timestamp with time zone, c_published_at timestamp with time zone, c_closed_at timestamp with time zone, t_id bigint, t_campaign_id bigint, t_position integer, t_input jsonb, t_job_id bigint, t_results_needed integer, t_is_open boolean, t_reopen_at timestamp with time zone, t_created_at timestamp with time zone)
LANGUAGE plpgsql AS $submit$
#variable_conflict use_column
DECLARE
    v_task bigint;
    v_full boolean;
    v_job boolean;
BEGIN
    SELECT a.task_id, t.reopen_at IS NOT NULL, t.job_id IS NOT NULL INTO v_task, v_full, v_job
    FROM results_assignment a JOIN tasks_task t ON t.id = a.task_id
    WHERE a.id = p_id AND a.worker_id = p_worker;
    -- A job's task takes only answers shaped as a job's, which the caller has checked against its screens.
    IF NOT FOUND OR (v_job AND NOT p_answers ? 'screens') THEN
        RETURN;
    END IF;
    IF v_full THEN
        PERFORM 1 FROM tasks_task t WHERE t.id = v_task FOR UPDATE;
    END IF;
    UPDATE results_assignment AS a
SET state = 'submitted', answers = p_answers, submitted_at = p_now, review_due_at = p_now + make_interval(secs => c.review_window_s),
    updated_at = p_now
FROM campaigns_campaign c
WHERE a.id = p_id AND a.worker_id = p_worker AND c.id = a.campaign_id
  AND ((a.state = 'accepted' AND a.expires_at > p_now AND NOT (c.state IN ('cancelled', 'archived'))) OR (a.state = 'soft_rejected' AND a.redo_until > p_now AND NOT (c.state IN ('cancelled', 'archived'))));
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_full THEN
        UPDATE tasks_task SET is_open = NOT (tasks_task.results_needed <= held.live),
    reopen_at = CASE WHEN tasks_task.results_needed <= held.live THEN (SELECT min(a.expires_at) FROM results_assignment a WHERE a.task_id = v_task AND ((a.state = 'accepted' AND a.expires_at > p_now))) END
FROM (SELECT count(*) AS live FROM results_assignment a WHERE a.task_id = v_task AND (a.state IN ('submitted', 'approved', 'soft_rejected') OR (a.state = 'accepted' AND a.expires_at > p_now))) held
WHERE tasks_task.id = v_task;
    END IF;
    RETURN QUERY SELECT a."id", a."task_id", a."campaign_id", a."worker_id", a."state", a."answers", a."accepted_at", a."expires_at", a."submitted_at", a."closed_at", a."review_due_at", a."reviewed_at", a."reviewer_id", a."feedback", a."redo_until", a."quality", a."updated_at", c."id", c."project_id", c."name", c."title", c."est_duration_s", c."state", c."results_per_task", c."max_results_per_worker", c."restricted", c."time_allowed_s", c."start_at", c."end_at", c."login_required", c."training", c."filename", c."payment_per_result", c."review_window_s", c."tasks_count", c."tasks_staged", c."commission_rate", c."fee_per_result", c."frozen_amount", c."archived_from", c."created_by_id", c."created_at", c."updated_at", c."published_at", c."closed_at", t."id", t."campaign_id", t."position", t."input", t."job_id", t."results_needed", t."is_open", t."reopen_at", t."created_at" FROM results_assignment a JOIN campaigns_campaign c ON c.id = a.campaign_id JOIN tasks_task t ON t.id = a.task_id WHERE a.id = p_id;
END
$submit$
""",
        ),
    ]
