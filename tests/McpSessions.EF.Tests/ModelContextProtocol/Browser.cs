using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using ModelContextProtocol.Authentication;

namespace McpSessions.EF.Tests.ModelContextProtocol;

/// <summary>What a browser does in these flows: follows redirects itself, one request at a time, and keeps the URLs.</summary>
public sealed class Browser : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    /// <summary>Every URL requested, in order.</summary>
    public List<Uri> Visited { get; } = [];

    /// <summary>Requests <paramref name="url"/> and follows redirects until a response that is not one.</summary>
    public async Task<HttpResponseMessage> NavigateAsync(Uri url)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            Visited.Add(url);
            var response = await _http.GetAsync(url);
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther))
            {
                return response;
            }

            url = new Uri(url, response.Headers.Location!);
            response.Dispose();
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    /// <summary>
    /// Opens the authorization URL and reads the authorization response from the redirect, without following it: the
    /// SDK's <see cref="ClientOAuthOptions.AuthorizationCallbackHandler"/> for a desktop-style flow.
    /// </summary>
    public async Task<AuthorizationResult?> AuthorizeAsync(AuthorizationCallbackContext context, CancellationToken cancellationToken)
    {
        Visited.Add(context.AuthorizationUri);
        using var response = await _http.GetAsync(context.AuthorizationUri, cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(context.RedirectUri.ToString(), location.ToString(), StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(location.Query);
        return new AuthorizationResult { Code = query["code"], State = query["state"], Iss = query["iss"] };
    }

    public void Dispose() => _http.Dispose();
}
