using Hub.Silo.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Silo.Kafka.Sasl;

/// <summary>
/// Checks an OAUTHBEARER token (a JWT) as Kafka's validators do: signed with a key of the configured key set (or,
/// where allowed, unsigned), not expired, not before its time, with the expected issuer and audience; its
/// principal claim names the user. Microsoft.IdentityModel does the JWT work.
/// </summary>
internal sealed class OAuthBearerValidator
{
    /// <summary>Clocks of the provider and the silos differ a little: Kafka's sasl.oauthbearer.clock.skew.seconds default.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _signed;
    private readonly TokenValidationParameters? _unsecured;
    private readonly string _principalClaim;

    public OAuthBearerValidator(KafkaOAuthBearerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.JwksFile) && !options.AllowUnsecuredJwt)
            throw new ArgumentException("OAUTHBEARER needs Hub:KafkaOAuthBearer:JwksFile, the keys tokens are signed with (or AllowUnsecuredJwt, for development)");
        var keys = string.IsNullOrWhiteSpace(options.JwksFile) ? [] : new JsonWebKeySet(File.ReadAllText(options.JwksFile)).GetSigningKeys();
        _principalClaim = options.PrincipalClaim;
        _signed = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidateIssuerSigningKey = true,
            ValidIssuer = options.Issuer,
            ValidateIssuer = !string.IsNullOrEmpty(options.Issuer),
            ValidAudience = options.Audience,
            ValidateAudience = !string.IsNullOrEmpty(options.Audience),
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
        };
        // Kafka's unsecured validator checks only the times and the principal: nobody vouches for an unsigned token's issuer.
        _unsecured = options.AllowUnsecuredJwt
            ? new TokenValidationParameters
            {
                RequireSignedTokens = false,
                ValidateIssuer = false,
                ValidateAudience = false,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ClockSkew = ClockSkew,
            }
            : null;
    }

    /// <summary>The user the token names; a token that fails a check gets <see cref="SaslAuthenticationException"/> saying which.</summary>
    public async Task<string> UserOfAsync(string token)
    {
        var unsigned = _handler.CanReadToken(token) && new JsonWebToken(token).Alg == SecurityAlgorithms.None;
        var parameters = unsigned ? _unsecured ?? _signed : _signed;
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
            throw new SaslAuthenticationException($"authentication failed: invalid OAUTHBEARER token ({result.Exception?.Message ?? "rejected"})");
        if (!result.Claims.TryGetValue(_principalClaim, out var value) || value is not string user || user.Length == 0)
            throw new SaslAuthenticationException($"authentication failed: the OAUTHBEARER token has no '{_principalClaim}' claim naming the principal");
        return user;
    }
}
