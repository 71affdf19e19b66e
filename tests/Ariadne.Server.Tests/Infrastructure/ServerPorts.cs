namespace Ariadne.Server.Tests.Infrastructure;

internal sealed record ServerPorts(int Grpc, int Http, int Query, int Tempo, int Zipkin)
{
    public static ServerPorts Allocate()
    {
        var ports = FreePorts.Take(5);
        return new ServerPorts(ports[0], ports[1], ports[2], ports[3], ports[4]);
    }

    public string ConfigYaml(string dataDirectory, string storageExtra = "", string extraYaml = "") => $"""
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:{Grpc}
              http:
                endpoint: 127.0.0.1:{Http}
          zipkin:
            endpoint: 127.0.0.1:{Zipkin}
        storage:
          path: {dataDirectory}
        {storageExtra}
        query:
          endpoint: 127.0.0.1:{Query}
          tempo_endpoint: 127.0.0.1:{Tempo}
        {extraYaml}
        """;
}
