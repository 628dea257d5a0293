namespace Hub.Client;

/// <summary>The client could not reach any Hub gateway.</summary>
public sealed class HubConnectionException : Exception
{
    public HubConnectionException(string message) : base(message)
    {
    }

    public HubConnectionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
