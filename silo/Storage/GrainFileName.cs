using System.IO.Hashing;
using System.Text;

namespace Hub.Silo.Storage;

/// <summary>
/// Turns a grain id into a file name that is safe on any file system: ASCII letters, digits, '.' and '-'
/// stay, every other UTF-8 byte becomes "_XX" (hex), so distinct ids never share a name and a name can be
/// read back by hand. An id too long for a file name keeps a readable prefix and ends in '~' and a hash of
/// the whole id ('~' never comes out of the escaping, so such a name can't collide with an escaped one).
/// </summary>
internal static class GrainFileName
{
    /// <summary>Leaves room for the ".state.tmp" suffix under the usual 255-byte name limit.</summary>
    private const int MaxEscapedLength = 200;

    private const int HashedPrefixLength = 160;

    public static string From(string grainId)
    {
        var bytes = Encoding.UTF8.GetBytes(grainId);
        var name = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (IsKept(b)) name.Append((char)b);
            else name.Append('_').Append(b.ToString("X2"));
        }
        if (name.Length <= MaxEscapedLength) return name.ToString();
        var hash = Convert.ToHexStringLower(XxHash128.Hash(bytes));
        return $"{name.ToString(0, HashedPrefixLength)}~{hash}";
    }

    private static bool IsKept(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'-';
}
