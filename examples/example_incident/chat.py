"""The authored Slack conversation of the example incident (all times UTC, 2026-10-14).

One message per line: ``[DATE] HH:MM who [options] | text``. An indented line continues the
text of the line above (joined with a space); one indented with ``+`` starts a new line in it.
``who`` is a key of PEOPLE or BOTS in story.py, and ``@key`` in the text becomes a mention.
Options:

    join        a channel_join system message (the text is written by Slack)
    bot         a bot_message posted by an integration
    #name       this message starts a thread called name
    >name       a reply in thread name;  ^  also sent to the channel (thread_broadcast)
    pin         pinned to the channel
    r:emoji=a,b reactions, by the people listed
    e:HH:MM     edited at that minute

Seconds and microseconds are drawn by the generator, in line order.
"""

INCIDENT_CHAT = """
14:34 priya join |
14:34 priya r:rotating_light=marco | Opening this channel for PagerDuty incident #2231 (Checkout API
  elevated 5xx errors). I'm primary on-call for checkout-api and I'm looking now.
14:34 pagerduty bot | Incident #2231 triggered: Checkout API elevated 5xx errors. Service:
  checkout-api, urgency: high, assigned to Priya Raman.
14:35 priya | Dashboards show the checkout-api 5xx rate going from ~0.2% to ~9% starting around
  14:12 UTC.
14:35 marco join |
14:35 marco | Joining as incident commander. @priya you keep driving the investigation, I'll
  coordinate, keep notes and handle comms.
14:35 priya r:+1=marco | sounds good, thanks
14:35 datadog bot | Triggered: [P1] checkout-api 5xx rate > 5% on env:production (current 9.4%)
14:36 priya #errs | What I see so far: errors are on POST /v1/checkout and
  POST /v1/checkout/confirm. GET /v1/cart and /v1/catalog look normal.
  <https://app.datadoghq.com/dashboard/chk-5xx-ovw|checkout-api overview>
14:36 amara join |
14:37 priya >errs | p99 on POST /v1/checkout went from ~380ms to over 5s. Most of the 5xx are 503s
  from the gateway after its 5s upstream timeout.
14:37 amara | Hi, I'm on the checkout team. What would help most?
14:37 marco | @amara could you list what changed on checkout-api and its dependencies since
  yesterday?
14:38 amara #changes | Changes I can find: <https://github.com/acme/checkout-api/pull/4812|#4812>
  (DB pool lifetime settings) deployed, finished 14:10 UTC. stripe-python bump deployed yesterday
  18:02 UTC. Nothing in the change calendar for infra today.
14:38 marco >changes | Thanks. Errors on the dashboard start ~14:12, so noting the 14:10 deploy as
  one lead. Let's keep looking at everything else too.
14:38 priya | Raising priority to P1 in PagerDuty, checkout is failing for a real share of
  customers.
14:39 marco | +1
14:39 lena join |
14:39 lena #support | Support here. 14 Zendesk tickets in the last 15 minutes, all "payment could
  not be completed". The earliest one is from 14:24 UTC.
14:39 marco >support | Thank you, that helps a lot. Could you keep a running count in this thread?
14:40 lena >support | will do
14:40 priya e:14:41 | Application logs for the failing requests mostly show
  + `psycopg_pool.PoolTimeout: couldn't get a connection after 5.00 sec`
14:40 amara r:eyes=priya,marco | That is the pool whose settings #4812 changed. Reading the diff
  now.
14:41 david join |
14:41 david | Comms here. I'll draft the status page update. @marco what can we say?
14:41 marco | @david "Some customers may see errors when completing checkout. We are
  investigating." No ETA yet, next update in 30 minutes.
14:42 david r:white_check_mark=marco | drafting
14:42 priya | DB primary CPU is at 35%, replication lag normal, no slow query spike. The database
  looks healthy from its own metrics.
14:42 marco | ok, so the time is being spent before queries run, not in them?
14:43 priya | looks like it, pool wait time is where the 5s goes
14:42 amara | Stripe's status page is green and our Stripe API latency is normal, so the payment
  provider looks fine from here.
14:43 amara | Diff of #4812: `pool.max_lifetime` 30m → 45s and `pool.idle_timeout` 10m → 20s.
  The aim was to drain connections faster after a primary failover.
14:43 priya | pgbouncer client connections from checkout-api are up about 6x since 14:11,
  and cl_waiting keeps climbing
14:44 marco pin r:pushpin=priya,amara | *Current status (14:44 UTC)*
  + Impact: ~9% of checkout attempts fail with 5xx since ~14:12 UTC, all regions.
  + Leads: connection churn between checkout-api and pgbouncer; deploy of #4812 at 14:10.
  + Next: bring in DB on-call, evaluate rollback to a1b2c3d.
  + Roles: IC @marco, ops @priya, comms @david
14:44 david | Status page is up: <https://status.acme.example/incidents/8kq2v|Investigating
  elevated checkout errors>, also posted in #status-updates
14:45 sofia join |
14:45 sofia | Payments PM here. Is this all regions or only US?
14:45 priya | all regions, EU slightly lower volume because of the time of day
14:45 lena >support | 19 tickets. A few customers say they tried three or four times.
14:46 priya >errs | The error rate per pod is even, no single bad pod or zone.
14:46 sofia | Thanks. I'll let merchant support know, some merchants watch their conversion
  dashboards closely.
14:46 marco | @priya let's bring in the database on-call, the pool behaviour sits between their
  side and ours.
14:46 priya | agreed
14:47 priya | Requesting Database On-Call as responders in PagerDuty and escalating.
14:47 amara | Staging runs 4 pods of checkout-api, production runs 80. I'm checking if the load
  test for #4812 covered connection churn at that scale.
14:48 lena >support | 23 tickets now
14:49 priya | Escalated, @kenji should be getting paged now.
14:49 tom join |
14:49 tom | Platform here, I saw the page volume. I can run a rollback if we decide on one. The
  previous production build is a1b2c3d (deployed yesterday 18:02 UTC).
14:49 marco | Thanks @tom, please stand by for a couple of minutes while we hear from DB.
14:49 tom | standing by
14:50 kenji join |
14:50 kenji | Kenji from DB on-call here, reading back through the channel.
14:50 marco | Welcome @kenji. Short version is in the pinned message. Main question: what does
  pgbouncer look like from your side?
14:51 ravi join |
14:51 ravi | Ravi from the DB team, joining too
14:51 kenji | give me a minute to pull SHOW POOLS
14:51 priya | Pool wait histogram: p50 1.2s, p99 5s (the timeout). Before 14:10 the p99 was
  under 5ms.
14:52 kenji #pgb e:15:31 | pgbouncer SHOW POOLS for checkout_db: cl_active 400, cl_waiting 930,
  sv_active 120, sv_login 35. Server connections are opened and closed roughly every 45s, each
  login takes 150-300ms with TLS and auth.
14:52 ravi >pgb | server_login_retry is logging too, and the primary is near max_connections
14:53 kenji >pgb | with a 45s lifetime across ~80 pods, some pod is reconnecting almost all the
  time; pgbouncer spends most of its time on logins
14:53 priya >pgb | matches the app side: pool waits reach 5s right when the login queue spikes
14:53 ravi >pgb | the idle_timeout of 20s adds to it, quiet pods drop and then reopen
  connections when the next burst arrives
14:54 kenji >pgb | before 14:10 server connections lived ~30 minutes and sv_login stayed near 0
14:54 amara | So the settings behave very differently at production pod counts than in staging.
14:54 marco | Noted for the review. Options right now: (a) roll back to a1b2c3d, (b) raise
  pgbouncer limits. @kenji @ravi what do you think about (b)?
14:55 ravi | (b) would move the pressure onto the primary. I'd rather not raise
  max_db_connections under this load.
14:55 kenji | agree, rollback looks lower risk to me
14:55 priya | Ran the "Collect pgbouncer diagnostics" automation action from PagerDuty so the state
  is captured before we change anything.
14:56 kenji | thanks, I have the output, will attach it to the incident doc
14:56 ravi | I opened <https://github.com/acme/checkout-api/pull/4814|#4814> for (b) in case we
  need it. Not merging it for now.
14:56 marco | @david once the rollback starts, the next update can say we have a likely trigger
  and are acting on it.
14:56 david | 👍 will post when Tom starts
14:57 amara #env | Before we roll back: can someone confirm which pool settings are actually live
  in the pods? The config could differ from the repo.
14:57 tom >env | env from pod checkout-api-7d9f8b6c5-x2kq4:
  + ```DB_POOL_MAX_LIFETIME=45s
  + DB_POOL_IDLE_TIMEOUT=20s
  + DB_POOL_MAX_SIZE=20
  + SLACK_ALERTS_TOKEN=xoxb-2231000000000-4815162342000-EXAMPLEfakeT0kenNotReal```
14:58 ravi >env | Confirms 45s / 20s. Heads up: that paste includes a bot token. I'll ask
  security to rotate it.
14:58 tom >env | thanks for spotting it, I'll paste only the relevant lines from now on
14:58 marco #rb | Decision: roll back checkout-api to a1b2c3d. @tom please go ahead. #4814 stays
  on hold.
14:59 tom >rb | Starting the rollback deploy of a1b2c3d to production
14:59 amara >rb r:+1=marco,priya | +1 from the checkout team
14:59 kenji >rb | I'll watch pgbouncer during the rollout
14:59 sofia | Thank you all, I'll stay in the channel for payments questions.
15:00 david | Status page update: "We have identified a likely trigger and are rolling back a
  recent change."
15:00 marco r:+1=david | 👍
15:01 priya | I'll call out the error rate here every minute or so during the rollout
15:01 kenji >rb | baseline captured before the rollout: cl_waiting 940, sv_login 38
15:02 tom >rb | rollout started, 10/80 pods on a1b2c3d
15:02 priya | 5xx still ~9%
15:03 tom >rb | 30/80
15:03 kenji | sv_login already lower on the pods that rolled
15:03 lena >support | 31 tickets
15:04 priya | 5xx 7.8%
15:04 tom >rb | 60/80
15:05 tom >rb ^ | Rollback deploy finished at 15:05 UTC, all 80 pods on a1b2c3d.
15:05 priya | 5xx 5.2%, falling
15:06 kenji | pgbouncer cl_waiting down to 210 and falling, server logins back to a normal rate
15:06 lena >support | 34 tickets total, new ones slowing down
15:06 amara | checkout success rate in the business dashboard is recovering
15:07 lena | support is seeing customers retry successfully
15:07 priya | 5xx 3.1%
15:07 ravi | primary connections back to ~140, plenty of headroom
15:08 priya | 5xx 0.6%
15:08 marco | Looks like the rollback is working. Keep watching for another few minutes before
  we call it.
15:09 ravi | Closing #4814 without merging, it's not needed now.
15:09 priya | 5xx 0.2%, which is our normal baseline
15:10 lena >support | 41 tickets total, 2 in the last 5 minutes
15:10 sofia | Payments confirms: failed checkout attempts were not charged, so no refunds needed.
15:10 kenji >pgb | sv_login back to ~0, server connection age growing normally again
15:11 priya | p99 on POST /v1/checkout back to 410ms
15:11 amara | Checkout success rate in the business dashboard is back in its usual band.
15:12 datadog bot | Recovered: [P1] checkout-api 5xx rate > 5% on env:production (current 0.2%)
15:12 marco r:white_check_mark=priya,kenji,amara | Mitigated as of ~15:08 UTC. Keeping the incident
  open and monitoring for 30 minutes.
15:13 david | Status page set to Monitoring.
15:13 marco | Sending a PagerDuty status update to stakeholders now.
15:14 amara | I'll open a revert of #4812 so that main matches what is running in production.
  Otherwise the next deploy from main ships the same settings again.
15:14 tom | good point, I'll pause automatic deploys of checkout-api until the revert is merged
15:15 tom | Auto-deploy paused for checkout-api.
15:15 jordan join |
15:16 jordan | Hi all, I wrote #4812. The goal was faster draining after a failover, we saw
  stale connections during the September failover drill. Happy to help with the review.
15:16 marco | Thanks @jordan, that context helps. Let's capture it for the review.
15:16 marco | PagerDuty status update sent.
15:17 jordan | In staging the new settings looked fine, but we have 4 pods there and traffic is
  much lower, so the churn never showed up.
15:17 kenji | For the review: pgbouncer has no alert on cl_waiting today, we only saw it on the
  dashboard once someone looked.
15:18 amara | <https://github.com/acme/checkout-api/pull/4815|#4815> revert is up. @tom could you
  review?
15:18 priya | I'll stay on the dashboards until we resolve.
15:19 lena >support | Support macro updated: customers can retry checkout now, no duplicate
  charges.
15:19 lena | Thanks everyone for the quick updates, it made answering customers much easier.
15:20 priya >errs | For the record: both endpoints at baseline error rate (0.2%) since ~15:09 UTC.
15:20 sofia | I'll collect the numbers on failed checkouts for the customer impact section.
15:21 tom | reviewed #4815, approved
15:21 david | Drafting the customer-facing summary for the status page, will share here first.
15:22 ravi | security confirmed the token from the earlier paste is revoked and a new one issued
15:22 tom >env | thanks @ravi
15:23 marco | Noting timeline items for the doc: alert 14:31, ack 14:33, IC 14:35, DB escalation
  14:48, rollback decision 14:58, rollback done 15:05, recovery ~15:08.
15:24 amara | #4815 merged.
15:24 tom | I'll deploy main with the revert after we resolve, keeping auto-deploy paused until
  then.
15:25 marco | sounds good
15:26 kenji | pgbouncer graphs for the last hour are in the doc now
15:27 priya | 5xx flat at 0.2% for 18 minutes
15:27 kenji | primary has 60% connection headroom again
15:28 david | Draft summary: "Between 14:12 and 15:08 UTC some customers could not complete
  checkout. A configuration change was rolled back and checkout is working normally."
15:28 marco | Looks accurate to me. Let's keep "some customers" until Sofia has the numbers.
15:29 sofia | numbers will take a day or two, fine to publish as is
15:30 kenji | pgbouncer fully at steady state, sv_login near zero
15:31 amara | Question for the review: our deploy pipeline has no canary step with production
  traffic for checkout-api. Worth discussing.
15:31 marco | Added to the list of review topics.
15:32 ravi | I'll pull the max_connections graph for the primary for the doc too
15:33 marco | It has been quiet for 20 minutes. Plan: resolve at 15:45 if it stays clean.
15:34 priya r:+1=marco | ok
15:45 priya | still clean, 0.2%, p99 400ms
15:46 marco | Resolving now.
15:47 marco #followups pin | Topics for the review (owners to be decided there):
  + 1) how pool settings are tested at production pod counts
  + 2) alerting on pgbouncer cl_waiting
  + 3) rotating the token from the env paste (done) and keeping secrets out of pod env output
  + 4) a canary stage for checkout-api deploys
  + 5) status page template for checkout incidents
15:49 marco | Resolved in PagerDuty. Thank you all, calm and clear work today.
15:49 david | Status page marked Resolved.
15:49 jordan >followups | I can take a first pass at (1) with the load-test team.
15:49 kenji >followups | I'll open a PR for (2).
15:50 ravi >followups | (3) rotation done; for keeping secrets out of env dumps I'd like security
  in the room.
15:50 lena | Closing the support thread, 43 tickets in total, all answered.
15:51 amara >followups | (4) I'll write up what a canary would look like for checkout-api.
15:52 marco >followups | thanks, I'll schedule the review
15:55 priya | Signing off from on-call duty for this one, handing the pager back to the normal
  rotation.
15:56 sofia | I'll have the numbers on failed checkouts by tomorrow.
15:57 amara >followups | and I'll pair with @jordan on (1), the load-test harness is ours
16:05 kenji | <https://github.com/acme/checkout-api/pull/4816|#4816> monitor for the pgbouncer
  client wait queue, draft for now
16:06 kenji >followups | (2) draft PR is #4816
16:20 tom | Deploying main (with the revert) to production so the pipeline is back in sync.
16:25 tom | Done, production on 5c9d0e2, error rate and latency flat. Auto-deploy resumed.
16:26 marco r:white_check_mark=tom | thanks Tom
2026-10-15 13:05 marco | Postmortem review scheduled for Fri 16 Oct, 15:00 UTC. The draft
  timeline will be in the incident doc.
2026-10-15 13:07 priya | 👍 will add my notes before then
"""

STATUS_CHAT = """
14:44 david | :large_orange_circle: *Checkout: investigating.* Some customers may see errors
  when completing checkout. We are investigating. Incident channel: #inc-2231-checkout-5xx
15:00 david | *Checkout: identified.* We have identified a likely trigger and are rolling back a
  recent change.
15:13 david | :large_yellow_circle: *Checkout: monitoring.* Checkout error rates are back to
  normal. We are monitoring.
15:49 david | :large_green_circle: *Checkout: resolved.* Between 14:12 and 15:08 UTC some
  customers could not complete checkout. Checkout is working normally.
"""
