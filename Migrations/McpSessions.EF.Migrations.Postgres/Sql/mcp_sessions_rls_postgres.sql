-- McpSessions.EF (opt-in): row-level security on plain PostgreSQL, without Supabase. A row is visible to, and
-- writable by, the role {{ROLE}} only when the transaction's setting mcp.identity is its identity or its user_id.
-- McpSessions.EF sets it per command (AddRowLevelSecurity with PostgresIdentity). Re-runnable.
-- {{ROLE}} must not own the table (owners bypass row-level security).
ALTER TABLE public.mcp_sessions ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "mcp_sessions identity isolation" ON public.mcp_sessions;
CREATE POLICY "mcp_sessions identity isolation" ON public.mcp_sessions
  FOR ALL TO {{ROLE}}
  USING (current_setting('mcp.identity', true) IN (identity, user_id))
  WITH CHECK (current_setting('mcp.identity', true) IN (identity, user_id));
