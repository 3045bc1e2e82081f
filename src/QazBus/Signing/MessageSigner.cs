using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QazBus.Configuration;
using QazBus.Pipeline;
using QazBus.Transport;
using QazBus.Wire;

namespace QazBus.Signing;

/// <summary>Signs outgoing messages with this system's key and verifies incoming ones against the registry's public keys.</summary>
internal sealed class MessageSigner : IDisposable
{
    private readonly SigningOptions _options;
    private readonly ECDsa? _privateKey;
    private readonly ITrustedKeyStore? _trusted;
    private readonly TimeProvider _time;

    public MessageSigner(IOptions<QazBusOptions> options, IServiceProvider services, TimeProvider time)
    {
        _options = options.Value.Signing;
        _time = time;
        if (_options.Mode == SigningMode.Off)
        {
            return;
        }

        _privateKey = ECDsa.Create();
        try
        {
            _privateKey.ImportFromPem(File.ReadAllText(_options.PrivateKeyPath!));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
        {
            // Name the setting, never the key material.
            throw new InvalidOperationException(
                $"{QazBusOptions.SectionName}:Signing:PrivateKeyPath does not point to a readable PKCS#8 PEM private key ({ex.GetType().Name}).", ex);
        }

        _trusted = services.GetService<ITrustedKeyStore>()
            ?? throw new InvalidOperationException(
                $"{QazBusOptions.SectionName}:Signing:Mode is {_options.Mode}, but no trusted key store is registered: load the registry's public keys (see README, 'Signing').");
    }

    public bool Enabled => _options.Mode != SigningMode.Off;

    public void Sign(Dictionary<string, object?> headers, ReadOnlySpan<byte> body)
    {
        if (_privateKey is null)
        {
            return;
        }

        var data = MessageSignature.SignedData(
            (string)headers[WireHeaders.Id]!, (string)headers[WireHeaders.Source]!, (string)headers[WireHeaders.Type]!,
            (string)headers[WireHeaders.DataSchema]!, (string)headers[WireHeaders.Time]!, body,
            headers.GetValueOrDefault(WireHeaders.Deadline) as string, headers.GetValueOrDefault(WireHeaders.RequestHash) as string);
        headers[MessageSignature.KeyHeader] = _options.KeyId;
        headers[MessageSignature.SignatureHeader] = MessageSignature.Sign(_privateKey, data);
    }

    /// <summary>Throws a <see cref="MessageRejectedException"/> naming what is wrong with the message's signature.</summary>
    public void Verify(TransportMessage message, IncomingEnvelope envelope)
    {
        if (_trusted is null)
        {
            return;
        }

        var signature = message.GetHeader(MessageSignature.SignatureHeader);
        var keyId = message.GetHeader(MessageSignature.KeyHeader);
        if (signature is null || keyId is null)
        {
            if (_options.Mode == SigningMode.Required)
            {
                throw new MessageRejectedException(RejectReason.SignatureMissing,
                    $"Message is not signed: headers '{MessageSignature.SignatureHeader}' and '{MessageSignature.KeyHeader}' are required.");
            }

            return;
        }

        var key = _trusted.Find(envelope.Source, keyId)
            ?? throw new MessageRejectedException(RejectReason.SignatureInvalid,
                $"Key '{keyId}' is not a registered key of '{envelope.Source}'.");

        var data = MessageSignature.SignedData(
            envelope.Id, envelope.Source, envelope.Type, message.GetHeader(WireHeaders.DataSchema) ?? string.Empty,
            message.GetHeader(WireHeaders.Time) ?? string.Empty, message.Body.Span,
            message.GetHeader(WireHeaders.Deadline), message.GetHeader(WireHeaders.RequestHash));
        if (!MessageSignature.Verify(key, data, signature))
        {
            throw new MessageRejectedException(RejectReason.SignatureInvalid,
                $"Signature does not match the body and headers signed by '{envelope.Source}' with key '{keyId}': forged or altered.");
        }

        // A valid signature on an old message is a replay (or a message that waited longer than allowed).
        var now = _time.GetUtcNow();
        if (envelope.Time < now - _options.MaxMessageAge || envelope.Time > now + _options.MaxClockSkew)
        {
            throw new MessageRejectedException(RejectReason.SignatureExpired,
                $"Message time {Wire.HeaderText.Time(envelope.Time)} is outside the accepted window ({QazBusOptions.SectionName}:Signing:MaxMessageAge {_options.MaxMessageAge}, MaxClockSkew {_options.MaxClockSkew}).");
        }
    }

    public void Dispose() => _privateKey?.Dispose();
}
