-- McpSessions.EF: row-level security on mcp_sessions exactly as @mcp-ts/sdk defines it: four policies TO
-- authenticated, a row being the user's when auth.uid() is its user_id or its identity. Created only where Supabase's
-- role `authenticated` and function auth.uid() exist, so a plain PostgreSQL database gets the table and no failure.
-- Re-runnable: each policy is dropped before it is created.
DO $mcp_rls$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated')
     AND EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'auth' AND p.proname = 'uid') THEN
    ALTER TABLE public.mcp_sessions ENABLE ROW LEVEL SECURITY;

    DROP POLICY IF EXISTS "Users can view their own sessions" ON public.mcp_sessions;
    CREATE POLICY "Users can view their own sessions" ON public.mcp_sessions
      FOR SELECT TO authenticated
      USING (auth.uid()::text = user_id OR auth.uid()::text = identity);

    DROP POLICY IF EXISTS "Users can insert their own sessions" ON public.mcp_sessions;
    CREATE POLICY "Users can insert their own sessions" ON public.mcp_sessions
      FOR INSERT TO authenticated
      WITH CHECK (auth.uid()::text = user_id OR auth.uid()::text = identity);

    DROP POLICY IF EXISTS "Users can update their own sessions" ON public.mcp_sessions;
    CREATE POLICY "Users can update their own sessions" ON public.mcp_sessions
      FOR UPDATE TO authenticated
      USING (auth.uid()::text = user_id OR auth.uid()::text = identity)
      WITH CHECK (auth.uid()::text = user_id OR auth.uid()::text = identity);

    DROP POLICY IF EXISTS "Users can delete their own sessions" ON public.mcp_sessions;
    CREATE POLICY "Users can delete their own sessions" ON public.mcp_sessions
      FOR DELETE TO authenticated
      USING (auth.uid()::text = user_id OR auth.uid()::text = identity);
  ELSE
    RAISE NOTICE 'mcp_sessions: Supabase roles or auth.uid() not found; row-level security policies not created';
  END IF;
END
$mcp_rls$;
