namespace Ariadne.Server.Receivers.Otlp.Grpc;

/// <summary>The gRPC status codes the receiver answers with (values from the gRPC specification).</summary>
internal enum GrpcStatusCode
{
    Ok = 0,
    InvalidArgument = 3,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    Unauthenticated = 16,
}
