using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Rectify.Web.Designer;

/// <summary>
/// Serves the Elsa Studio package (npm <c>@elsa-workflows/elsa-studio-wasm</c>, installed by the build into
/// Designer/node_modules) under /designer/. The package ships every file also as .br: those are sent with
/// Content-Encoding: br and the original file's content type. The package's own index.html is never served (it
/// links Google Fonts and hosts the wrong element); our pages host the elements.
/// </summary>
public sealed class DesignerFiles
{
    public const string PackageFolder = "Designer/node_modules/@elsa-workflows/elsa-studio-wasm";

    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    public string Root { get; }

    public DesignerFiles(IConfiguration configuration, IWebHostEnvironment environment)
    {
        var configured = configuration["Designer:PackageDirectory"];
        Root = Path.GetFullPath(configured is { Length: > 0 } ? configured : Path.Combine(environment.ContentRootPath, PackageFolder));
    }

    public bool IsInstalled => File.Exists(Path.Combine(Root, "_framework", "blazor.webassembly.js"));

    /// <summary>The file for a path under /designer/, or null when it is not part of the package we serve.</summary>
    public string? Resolve(string relativePath)
    {
        if (relativePath.Length == 0 || relativePath.Equals("index.html", StringComparison.OrdinalIgnoreCase)) return null;
        var full = Path.GetFullPath(Path.Combine(Root, relativePath));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
        return File.Exists(full) ? full : null;
    }

    public static string ContentTypeOf(string path) =>
        ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";

    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".wasm"] = "application/wasm";
        provider.Mappings[".dll"] = "application/octet-stream";
        provider.Mappings[".pdb"] = "application/octet-stream";
        provider.Mappings[".dat"] = "application/octet-stream";
        provider.Mappings[".blat"] = "application/octet-stream";
        provider.Mappings[".js"] = "text/javascript";
        provider.Mappings[".mjs"] = "text/javascript";
        provider.Mappings[".json"] = "application/json";
        provider.Mappings[".map"] = "application/json";
        provider.Mappings[".webmanifest"] = "application/manifest+json";
        provider.Mappings[".woff2"] = "font/woff2";
        provider.Mappings[".cur"] = "image/x-icon";
        return provider;
    }
}

public static class DesignerFilesApi
{
    /// <summary>GET (and HEAD) /designer/{**path}: the package's files, pre-compressed when the browser accepts brotli.</summary>
    public static IEndpointRouteBuilder MapDesignerFiles(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/designer/{**path}", [HttpMethods.Get, HttpMethods.Head], (string? path, HttpContext http, DesignerFiles files) =>
        {
            var file = files.Resolve(path ?? "");
            if (file is null) return Results.NotFound();

            var contentType = DesignerFiles.ContentTypeOf(file);
            http.Response.Headers.Vary = HeaderNames.AcceptEncoding;
            var sent = file;
            if (AcceptsBrotli(http.Request) && File.Exists(file + ".br"))
            {
                sent = file + ".br";
                http.Response.Headers.ContentEncoding = "br";
            }
            // File names under _framework carry a content hash; the rest may change with a package upgrade.
            http.Response.Headers.CacheControl = path!.StartsWith("_framework/", StringComparison.Ordinal) && path.Count(c => c == '.') > 1
                ? "public, max-age=31536000, immutable"
                : "no-cache";
            var info = new FileInfo(sent);
            var tag = new EntityTagHeaderValue($"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}{(sent == file ? "" : "-br")}\"");
            return Results.File(sent, contentType, lastModified: info.LastWriteTimeUtc, entityTag: tag);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static bool AcceptsBrotli(HttpRequest request) =>
        request.Headers.AcceptEncoding.Any(v => v is not null && v.Split(',').Any(e => e.Trim().Split(';')[0].Trim() == "br"));
}
