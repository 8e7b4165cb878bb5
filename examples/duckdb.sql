-- Access Undenied in DuckDB: a walk-through on the bundled example organization.
--
-- From the repository root, build a snapshot of the example accounts, then run
-- this file with the functions registered (the DuckDB shell cannot load Python
-- functions, so `python -m access_undenied_duckdb` runs it):
--
--   .venv/bin/aws-access-undenied snapshot build --output /tmp/example.json.gz \
--       --account-details examples/account-details/111111111111.json \
--       --account-details examples/account-details/123456789012.json \
--       --account-details examples/account-details/222222222222.json \
--       --account-details examples/account-details/333333333333.json \
--       --scp-file examples/organization.json \
--       --resource-policies examples/resource-policies.json
--   .venv/bin/python -m access_undenied_duckdb --snapshot /tmp/example.json.gz \
--       examples/duckdb.sql
--
-- In Python or a notebook the same is:
--   import duckdb; from access_undenied_duckdb import register
--   con = duckdb.connect(); register(con, snapshot="/tmp/example.json.gz")

-- 1. Every denial of a CloudTrail export, explained. cloudtrail_denials takes a
--    path, a glob (`AWSLogs/**` for an S3 export) or a list of them; plain and
--    gzipped files mix, digest files are left out, successful calls are skipped.
SELECT event_time, event_name, principal, reason_code
FROM cloudtrail_denials('examples/events/2026-11-20-*')
ORDER BY event_time;

-- 2. How many denials for each reason.
SELECT reason_code, count(*) AS denials
FROM cloudtrail_denials('examples/events/2026-11-20-*')
GROUP BY ALL
ORDER BY denials DESC, reason_code;

-- 3. The sentence to act on, and the least-privilege fix where one is proposed.
SELECT action, explanation, fix_target, fix_policy
FROM cloudtrail_denials('examples/events/2026-11-20-*')
WHERE fix_policy IS NOT NULL
ORDER BY event_time;

-- 4. Explicit denies: which policy and statement denied.
SELECT action, reason_code, policy_arn, statement_sid
FROM cloudtrail_denials('examples/events/2026-11-20-*')
WHERE reason_code LIKE '%explicit_deny'
ORDER BY event_time;

-- 5. explain_denial takes a record as JSON text, as the STRUCT read_json makes,
--    or as any text: lines pasted from the console, one of them cut short,
--    give one row each; the broken one says why in `error` and the query goes on.
SELECT e.event_id, e.reason_code, e.error
FROM (
    SELECT explain_denial(line) AS e
    FROM (
        SELECT unnest(string_split(trim(content), chr(10))) AS line
        FROM read_text('examples/events/pasted-from-console.jsonl')
    )
);

-- 6. `aws cloudtrail lookup-events` output holds each record as a string.
SELECT e.event_id, e.reason_code, e.principal, e.action
FROM (
    SELECT explain_denial(event->>'CloudTrailEvent') AS e
    FROM (
        SELECT unnest(Events) AS event
        FROM read_json('examples/events/lookup-events.json',
                       columns = {'Events': 'JSON[]'})
    )
);

--    cloudtrail_denials reads every shape the CLI reads (lookup-events output,
--    JSON Lines, EventBridge deliveries) and gives a file or line it cannot read
--    an error row naming it; the good records of the same query are answered.
SELECT filename, record_index, reason_code, error
FROM cloudtrail_denials(['examples/events/lookup-events.json',
                         'examples/events/pasted-from-console.jsonl'])
ORDER BY filename, record_index;

-- 7. explain_denial_json gives the CLI's whole result; pick any part of it.
SELECT record->>'eventID' AS event_id,
       explain_denial_json(record)->'ResponsiblePolicies'->0->>'PolicyName' AS policy,
       explain_denial_json(record)->>'AgreesWithAws' AS agrees_with_aws
FROM cloudtrail_denials('examples/events/2026-11-20-*')
ORDER BY event_time;

-- 8. The snapshot as tables. Which principals were denied, with their boundary
--    (a role's sessions join it through session_arn_prefix).
SELECT p.arn, p.kind, p.permissions_boundary_arn, count(*) AS denials
FROM cloudtrail_denials('examples/events/2026-11-20-*') d
JOIN snapshot_principals p
  ON d.principal = p.arn OR starts_with(d.principal, p.session_arn_prefix)
GROUP BY ALL
ORDER BY denials DESC, p.arn;

-- 9. The statement that denied, as written in its policy.
SELECT d.action, s.sid, s.effect, s.actions, s.not_actions, s.condition
FROM cloudtrail_denials('examples/events/2026-11-20-*') d
JOIN snapshot_policies p ON p.arn = d.policy_arn
JOIN snapshot_statements s
  ON s.policy_id = p.policy_id AND s.sid IS NOT DISTINCT FROM d.statement_sid
WHERE d.reason_code LIKE '%explicit_deny';

-- 10. The SCPs on the path from the root down to each account, level by level.
WITH RECURSIVE path(account_id, node_id, depth) AS (
    SELECT id, id, 0 FROM snapshot_organization_nodes WHERE is_account
    UNION ALL
    SELECT path.account_id, n.parent_id, path.depth + 1
    FROM path JOIN snapshot_organization_nodes n ON n.id = path.node_id
    WHERE n.parent_id IS NOT NULL
),
levels AS (
    SELECT path.account_id, path.depth, n.name,
           string_agg(a.policy_name, ', ' ORDER BY a.policy_name) AS scps
    FROM path
    JOIN snapshot_organization_nodes n ON n.id = path.node_id
    JOIN snapshot_organization_attachments a
      ON a.node_id = path.node_id AND a.policy_type = 'scp'
    GROUP BY ALL
)
SELECT account_id, list(name || ': ' || scps ORDER BY depth DESC) AS root_first
FROM levels
GROUP BY ALL
ORDER BY account_id;

-- 11. What if: simulate_request evaluates a request against given policies.
SELECT simulate_request({
    'principal': 'arn:aws:iam::123456789012:role/analyst',
    'action': 's3:GetObject',
    'resource': 'arn:aws:s3:::dev-scratch/report.pdf',
    'identity_policies': [{
        'Version': '2012-10-17',
        'Statement': [{'Effect': 'Allow', 'Action': 's3:GetObject',
                       'Resource': 'arn:aws:s3:::dev-scratch/*'}]
    }]
})->>'decision' AS decision;
