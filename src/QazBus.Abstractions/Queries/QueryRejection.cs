namespace QazBus.Queries;

/// <summary>The wire text of each <see cref="QueryRejectionCode"/>: the <c>qazbus-query-status</c> header and the rejection body's <c>code</c>.</summary>
public static class QueryRejection
{
    /// <summary>The status of an answer with data.</summary>
    public const string Ok = "ok";

    /// <summary><see cref="QueryRejectionCode.AccessDenied"/>.</summary>
    public const string AccessDenied = "access-denied";

    /// <summary><see cref="QueryRejectionCode.NoData"/>.</summary>
    public const string NoData = "no-data";

    /// <summary><see cref="QueryRejectionCode.InvalidRequest"/>.</summary>
    public const string InvalidRequest = "invalid-request";

    /// <summary><see cref="QueryRejectionCode.Failure"/>.</summary>
    public const string Failure = "failure";

    /// <summary><see cref="QueryRejectionCode.Expired"/>.</summary>
    public const string Expired = "expired";

    /// <summary>The wire text of <paramref name="code"/>.</summary>
    public static string Text(QueryRejectionCode code) => code switch
    {
        QueryRejectionCode.AccessDenied => AccessDenied,
        QueryRejectionCode.NoData => NoData,
        QueryRejectionCode.InvalidRequest => InvalidRequest,
        QueryRejectionCode.Expired => Expired,
        _ => Failure,
    };

    /// <summary>Reads a wire text; false for anything that is not one of the codes.</summary>
    public static bool TryParse(string? text, out QueryRejectionCode code)
    {
        (var known, code) = text switch
        {
            AccessDenied => (true, QueryRejectionCode.AccessDenied),
            NoData => (true, QueryRejectionCode.NoData),
            InvalidRequest => (true, QueryRejectionCode.InvalidRequest),
            Failure => (true, QueryRejectionCode.Failure),
            Expired => (true, QueryRejectionCode.Expired),
            _ => (false, QueryRejectionCode.Failure),
        };
        return known;
    }
}
