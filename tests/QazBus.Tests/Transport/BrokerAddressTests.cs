using QazBus.Transport.RabbitMq;

namespace QazBus.Tests.Transport;

public sealed class BrokerAddressTests
{
    [Fact]
    public void A_uri_with_several_hosts_names_every_node_and_keeps_credentials_and_vhost()
    {
        Assert.True(BrokerAddress.TryParse("amqp://kgd:p%40ss@rabbit-1:5673,rabbit-2,10.0.0.3:5675/qazbus", null, out var address, out var error), error);

        Assert.Equal([new BrokerNode("rabbit-1", 5673), new BrokerNode("rabbit-2", 5672), new BrokerNode("10.0.0.3", 5675)], address!.Nodes);
        Assert.Equal("kgd:p%40ss", address.FirstNodeUri.UserInfo);
        Assert.Equal("/qazbus", address.FirstNodeUri.AbsolutePath);
        Assert.Equal("rabbit-1:5673, rabbit-2:5672, 10.0.0.3:5675", address.Describe());
        Assert.False(address.UsesTls);
    }

    [Fact]
    public void Nodes_are_added_to_the_uri_host_without_repeats_and_amqps_defaults_to_5671()
    {
        Assert.True(BrokerAddress.TryParse("amqps://u:p@rabbit-1/", ["rabbit-2", "rabbit-1:5671", "[::1]:5690"], out var address, out var error), error);

        Assert.Equal([new BrokerNode("rabbit-1", 5671), new BrokerNode("rabbit-2", 5671), new BrokerNode("::1", 5690)], address!.Nodes);
        Assert.True(address.UsesTls);
    }

    [Theory]
    [InlineData("amqp://u:s3cret@rabbit-1,,rabbit-3/", null, "QazBus:RabbitMq:Uri (host 2) names an empty host.")]
    [InlineData("amqp://u:s3cret@rabbit-1:notaport/", null, "QazBus:RabbitMq:Uri is not an absolute amqp:// or amqps:// URI.")]
    [InlineData("http://u:s3cret@rabbit-1/", null, "QazBus:RabbitMq:Uri is not an absolute amqp:// or amqps:// URI.")]
    [InlineData("amqp://u:s3cret@rabbit-1/", "rabbit-2/vhost", "QazBus:RabbitMq:Nodes:0 is not a host or host:port: 'rabbit-2/vhost'.")]
    public void A_bad_address_names_the_setting_and_never_the_password(string uri, string? node, string expected)
    {
        Assert.False(BrokerAddress.TryParse(uri, node is null ? null : [node], out _, out var error));
        Assert.Equal(expected, error);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_connection_factory_accepts_the_cluster_form()
    {
        var connections = new BrokerConnections(new() { Uri = "amqp://guest:guest@127.0.0.1:5701,127.0.0.1:5702/", Nodes = ["127.0.0.1:5703"] });
        Assert.Equal("127.0.0.1:5701, 127.0.0.1:5702, 127.0.0.1:5703", connections.Endpoint);
    }
}
