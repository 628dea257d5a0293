using System.Text;

namespace Hub.Security;

/// <summary>Kafka's spelling of ACL enum values (ALTER_CONFIGS, TRANSACTIONAL_ID), as its tools and error messages print them.</summary>
public static class AclNames
{
    public static string Kafka<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        var upper = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) upper.Append('_');
            upper.Append(char.ToUpperInvariant(name[i]));
        }
        return upper.ToString();
    }
}
