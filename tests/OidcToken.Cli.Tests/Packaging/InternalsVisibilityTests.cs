using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace OidcToken.Cli.Packaging;

/// <summary>
/// The packages version separately: a library that opened its internals to another could break it when a user upgrades
/// one of them alone (MissingMethodException). So no built shipped library grants InternalsVisibleTo to another shipped
/// library; test projects may receive it, and so may the two tools, which ship their own copies of every library.
/// </summary>
public sealed class InternalsVisibilityTests
{
    private static readonly string[] ToolProjects = ["OidcToken.Cli", "OidcToken.MockIssuer"];

    [Fact]
    public void No_shipped_library_grants_its_internals_to_another_shipped_library()
    {
        var shipped = ShippedProjects();
        Assert.True(shipped.Count >= 9, "expected every src/ project, found " + shipped.Count);
        var libraries = shipped.Where(p => !ToolProjects.Contains(p.Project)).ToList();
        var shippedNames = shipped.Select(p => p.AssemblyName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var toolNames = shipped.Where(p => ToolProjects.Contains(p.Project)).Select(p => p.AssemblyName).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var grants = new List<string>();
        foreach (var library in libraries)
        {
            Assert.True(File.Exists(library.Path), "not built: " + library.Path + " (build the solution first)");
            foreach (var grantee in InternalsVisibleTo(library.Path))
            {
                var name = grantee.Split(',')[0].Trim();
                if (shippedNames.Contains(name) && !toolNames.Contains(name))
                {
                    grants.Add(library.AssemblyName + " -> " + name);
                }
            }
        }

        Assert.Empty(grants);
    }

    [Fact]
    public void The_check_sees_the_grants_a_library_does_make()
    {
        // Each library opens its internals to its own test project (src/Directory.Build.props): proof the reader sees them.
        var core = ShippedProjects().Single(p => p.Project == "OidcToken");
        Assert.Contains("OidcToken.Tests", InternalsVisibleTo(core.Path));
        Assert.Contains("oidc-token", InternalsVisibleTo(core.Path));
    }

    private static List<string> InternalsVisibleTo(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var grantees = new List<string>();
        foreach (var handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = metadata.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var constructor = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
            var type = metadata.GetTypeReference((TypeReferenceHandle)constructor.Parent);
            if (metadata.GetString(type.Name) != "InternalsVisibleToAttribute")
            {
                continue;
            }

            // Blob: prolog 0x0001, then one SerString argument.
            var blob = metadata.GetBlobReader(attribute.Value);
            blob.ReadUInt16();
            grantees.Add(blob.ReadSerializedString()!);
        }

        return grantees;
    }

    private static List<(string Project, string AssemblyName, string Path)> ShippedProjects()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "OidcToken.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var projects = new List<(string, string, string)>();
        foreach (var csproj in Directory.GetFiles(System.IO.Path.Combine(root.FullName, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var project = System.IO.Path.GetFileNameWithoutExtension(csproj);
            var assemblyName = XDocument.Load(csproj).Descendants("AssemblyName").FirstOrDefault()?.Value ?? project;
            var output = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(csproj)!, "bin", configuration, "net10.0", assemblyName + ".dll");
            projects.Add((project, assemblyName, output));
        }

        return projects;
    }
}
