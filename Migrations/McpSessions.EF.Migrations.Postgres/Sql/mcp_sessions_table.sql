-- McpSessions.EF: the mcp_sessions table, column for column, index for index and default for default the table of
-- @mcp-ts/sdk's supabase/migrations/20260330195700_install_mcp_sessions.sql, so a Node service and a .NET service
-- can share it. Every statement is safe to run again, and safe to run on a database where @mcp-ts/sdk's own
-- migration already made the table.

CREATE TABLE IF NOT EXISTS public.mcp_sessions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    server_id TEXT,
    server_name TEXT,
    server_url TEXT NOT NULL,
    transport_type TEXT NOT NULL,
    callback_url TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    -- Nullable with a default, as in @mcp-ts/sdk's table (SPEC §2 asks NOT NULL; parity with the peer wins, and
    -- McpSessions.EF never writes NULL).
    active BOOLEAN DEFAULT false,
    identity TEXT NOT NULL,
    headers JSONB,
    client_information JSONB,
    tokens JSONB,
    code_verifier TEXT,
    client_id TEXT
);

CREATE INDEX IF NOT EXISTS idx_mcp_sessions_identity ON public.mcp_sessions(identity);
CREATE INDEX IF NOT EXISTS idx_mcp_sessions_user_id ON public.mcp_sessions(user_id);
CREATE INDEX IF NOT EXISTS idx_mcp_sessions_expires_at ON public.mcp_sessions(expires_at);

-- updated_at moves on every UPDATE, as in @mcp-ts/sdk, with two refinements: a writer that sets updated_at itself
-- keeps its value (the Node peer does on every update), and McpSessions.EF (application_name 'McpSessions.EF'),
-- whose store always sets it from its TimeProvider, is trusted, so its re-encryption job does not count as a use.
CREATE OR REPLACE FUNCTION public.set_current_timestamp_updated_at()
RETURNS TRIGGER AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
     AND current_setting('application_name', true) IS DISTINCT FROM 'McpSessions.EF' THEN
    NEW.updated_at = now();
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS trg_mcp_sessions_updated_at ON public.mcp_sessions;
CREATE TRIGGER trg_mcp_sessions_updated_at
BEFORE UPDATE ON public.mcp_sessions
FOR EACH ROW
EXECUTE FUNCTION public.set_current_timestamp_updated_at();
