namespace QazBus.Operations;

/// <summary>A probe could not start or stopped: the message says why and what to do.</summary>
internal sealed class ContractProbeException : InvalidOperationException
{
    public ContractProbeException(string message)
        : base(message)
    {
    }

    public ContractProbeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ContractProbeException()
    {
    }
}
