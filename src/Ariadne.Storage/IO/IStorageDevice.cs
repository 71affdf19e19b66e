namespace Ariadne.Storage.IO;

/// <summary>
/// The file operations storage needs, behind one interface so tests can inject faults (short writes,
/// failed fsyncs, a full disk) without touching the code that uses it.
/// </summary>
internal interface IStorageDevice
{
    IStorageFile OpenOrCreate(string path);

    bool FileExists(string path);

    void DeleteFile(string path);

    /// <summary>File paths in <paramref name="directory"/> matching <paramref name="pattern"/>, sorted by name.</summary>
    IReadOnlyList<string> ListFiles(string directory, string pattern);

    void CreateDirectory(string path);

    /// <summary>Makes file creations and deletions in the directory durable (fsync on the directory).</summary>
    void SyncDirectory(string path);
}
