namespace Dashboard.Core.Actions;

/// <summary>
/// The broker behind an <see cref="ISessionControl"/> or an <see cref="IQueuedMessageReader"/> could not be
/// asked (a VerneMQ node unreachable, its API key refused): the action or read did not happen, or it is
/// not known whether it did. The message says which, in words for an operator.
/// </summary>
public sealed class ActionFailedException(string message, Exception? inner = null) : Exception(message, inner);
