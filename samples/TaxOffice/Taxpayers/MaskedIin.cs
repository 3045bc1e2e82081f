namespace TaxOffice.Taxpayers;

/// <summary>
/// An IIN as it appears in logs: all but the last four digits hidden, enough to tell lines apart but not to
/// identify anyone. Logs are read by more people, and kept longer, than the register.
/// </summary>
/// <remarks>
/// Masked in <see cref="ToString"/>, when a line is actually written, so a disabled log level costs nothing. The
/// digits sit in a private field, so log exporters that serialize a value's public members cannot reach them.
/// </remarks>
internal readonly struct MaskedIin(string iin)
{
    private const int VisibleDigits = 4;

    public override string ToString() =>
        iin.Length <= VisibleDigits
            ? new string('*', iin.Length)
            : string.Concat(new string('*', iin.Length - VisibleDigits), iin.AsSpan(iin.Length - VisibleDigits));
}
