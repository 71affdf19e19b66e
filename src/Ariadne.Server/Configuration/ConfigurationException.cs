namespace Ariadne.Server.Configuration;

/// <summary>A configuration that cannot be used; the message lists every problem, one per line.</summary>
internal sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigurationException()
    {
    }
}
