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

    /// <summary>Folders directly in <paramref name="directory"/>, sorted by name.</summary>
    IReadOnlyList<string> ListDirectories(string directory);

    void DeleteDirectory(string path);

    /// <summary>Renames atomically (replacing <paramref name="to"/> if it is a file).</summary>
    void Move(string from, string to);

    /// <summary>Reads a whole (small) file.</summary>
    byte[] ReadAllBytes(string path);

    /// <summary>Makes file creations and deletions in the directory durable (fsync on the directory).</summary>
    void SyncDirectory(string path);
}
