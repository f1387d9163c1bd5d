-- McpSessions.EF (opt-in): pg_cron jobs equivalent to @mcp-ts/sdk's 20260421010000_add_session_cleanup_cron.sql.
--   every 5 minutes: remove expired sessions that are not active (abandoned OAuth flows, failed connections);
--   daily at 00:00 UTC: remove active sessions untouched for 30 days (dormant).
-- Guarded: skipped with a notice where pg_cron is not available. Re-runnable: the jobs are replaced by name.
-- An application running McpSessions.EF's own hosted cleanup service does not need this.
DO $mcp_cron$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron') THEN
    RAISE NOTICE 'mcp_sessions: pg_cron is not available; cleanup jobs not scheduled';
    RETURN;
  END IF;

  CREATE EXTENSION IF NOT EXISTS pg_cron;
  PERFORM cron.unschedule(jobid) FROM cron.job WHERE jobname IN ('cleanup-transient-sessions', 'cleanup-dormant-sessions');
  PERFORM cron.schedule(
    'cleanup-transient-sessions',
    '*/5 * * * *',
    $job$DELETE FROM public.mcp_sessions WHERE expires_at < now() AND active IS NOT TRUE;$job$);
  PERFORM cron.schedule(
    'cleanup-dormant-sessions',
    '0 0 * * *',
    $job$DELETE FROM public.mcp_sessions WHERE active = true AND updated_at < now() - interval '30 days';$job$);
END
$mcp_cron$;
