using McpSessions.EF.Lifecycle;
using McpSessions.EF.Model;
using Microsoft.EntityFrameworkCore.Query;

namespace McpSessions.EF.Storage;

/// <summary>Turns the members set on a <see cref="SessionUpdate"/> into the setters of one <c>ExecuteUpdate</c>.</summary>
internal static class SessionUpdateSetters
{
    public static void Apply(UpdateSettersBuilder<McpSession> setters, SessionUpdate update, SessionClock clock, DateTimeOffset now)
    {
        if (update.IsSet(SessionFields.UserId))
        {
            setters.SetProperty(s => s.UserId, update.UserId!);
        }

        if (update.IsSet(SessionFields.ServerId))
        {
            setters.SetProperty(s => s.ServerId, update.ServerId);
        }

        if (update.IsSet(SessionFields.ServerName))
        {
            setters.SetProperty(s => s.ServerName, update.ServerName);
        }

        if (update.IsSet(SessionFields.ServerUrl))
        {
            setters.SetProperty(s => s.ServerUrl, update.ServerUrl!);
        }

        if (update.IsSet(SessionFields.CallbackUrl))
        {
            setters.SetProperty(s => s.CallbackUrl, update.CallbackUrl!);
        }

        if (update.IsSet(SessionFields.TransportType))
        {
            setters.SetProperty(s => s.TransportType, update.TransportType);
        }

        if (update.IsSet(SessionFields.Active))
        {
            setters.SetProperty(s => s.Active, update.Active);
            setters.SetProperty(s => s.ExpiresAt, clock.ExpiresAt(update.Active, now));
        }

        if (update.IsSet(SessionFields.Headers))
        {
            setters.SetProperty(s => s.Headers, update.Headers);
        }

        if (update.IsSet(SessionFields.ClientInformation))
        {
            setters.SetProperty(s => s.ClientInformation, update.ClientInformation);
        }

        if (update.IsSet(SessionFields.Tokens))
        {
            setters.SetProperty(s => s.Tokens, update.Tokens);
        }

        if (update.IsSet(SessionFields.CodeVerifier))
        {
            setters.SetProperty(s => s.CodeVerifier, update.CodeVerifier);
        }

        if (update.IsSet(SessionFields.ClientId))
        {
            setters.SetProperty(s => s.ClientId, update.ClientId);
        }
    }
}
