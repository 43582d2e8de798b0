using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rectify.Data;
using Rectify.Reports;
using Rectify.Users;
using Rectify.Web.Auth;
using Rectify.Web.Categories;
using Rectify.Web.Dashboard;
using Rectify.Web.Demo;
using Rectify.Web.Elsa;
using Rectify.Web.Errors;
using Rectify.Web.Evidence;
using Rectify.Web.Findings;
using Rectify.Web.Inspections;
using Rectify.Web.Mail;
using Microsoft.AspNetCore.Mvc;
using Rectify.Web.Security;
using Rectify.Web.Notices;
using Rectify.Web.Units;
using Rectify.Web.Users;
using Rectify.Web.Workflows;
using Rectify.Workflows.Timers;

namespace Rectify.Web;

/// <summary>The one place the web host is wired: sign-in, authorization, localization, errors, API, pages, health.</summary>
public static class WebModule
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string CultureCookie = ".Rectify.Culture";
    private static readonly string[] Cultures = ["zh-CN", "en"];

    public static WebApplicationBuilder AddRectifyWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        // Structured logs: one JSON object per line on the console.
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        });
        // Also when run from another folder than the project's (no appsettings.json found): no per-query log lines.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"]))
            builder.WebHost.UseUrls(DefaultUrl);

        // Bodies are small (sign-in, JSON, forms) unless the endpoint is an upload (RequestSizeLimit metadata, applied
        // by routing): evidence with a report, an .xlsx import.
        var evidence = configuration.GetSection("Evidence").Get<EvidenceOptions>() ?? new EvidenceOptions();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestLimits.DefaultBytes);
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = evidence.UploadBytes);
        SecurityHeaders.AddForwardedHeaders(services, configuration);

        services.AddIdentityCore<AppUser>(o =>
            {
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.User.RequireUniqueEmail = false;
            })
            .AddEntityFrameworkStores<RectifyDb>()
            .AddSignInManager<RectifySignInManager>()
            .AddClaimsPrincipalFactory<RectifyClaimsFactory>()
            .AddDefaultTokenProviders();
        services.AddSingleton<DummyPasswordHash>();
        // Screenshots of captured pages only where a browser is configured.
        if (configuration["Evidence:Capture:BrowserPath"] is { Length: > 0 })
            services.AddSingleton<Rectify.Captures.IPageScreenshotter, Evidence.PlaywrightScreenshotter>();
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddOptions<SecurityStampValidatorOptions>().Configure<AppClocks>((o, clocks) =>
        {
            o.ValidationInterval = TimeSpan.FromMinutes(1);
            o.TimeProvider = clocks.Real;
        });
        // Sessions age in real time: moving the demonstration clock by days must not expire everybody's cookie.
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<AppClocks>((o, clocks) => o.TimeProvider = clocks.Real);
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = ".Rectify.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            // Resolving the stamp validator builds a UserManager and its store on every request, only to find that
            // no check is due; look at the cookie's age first (the validator's own test) and resolve it when one is.
            o.Events.OnValidatePrincipal = context =>
            {
                var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;
                var now = (options.TimeProvider ?? TimeProvider.System).GetUtcNow();
                return context.Properties.IssuedUtc is { } issued && now - issued <= options.ValidationInterval
                    ? Task.CompletedTask
                    : SecurityStampValidator.ValidatePrincipalAsync(context);
            };
            // The API answers 401/403 instead of redirecting to the sign-in page.
            o.Events.OnRedirectToLogin = context =>
            {
                if (RectifyExceptionHandler.IsApi(context.Request))
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                else
                    context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return RectifyExceptionHandler.IsApi(context.Request)
                    ? Task.CompletedTask
                    : RectifyExceptionHandler.WritePageAsync(context.HttpContext, 403,
                        Localization.Lang.T("您没有权限访问该页面。", "You are not allowed to open this page."));
            };
        });
        services.AddAuthorization(Policies.Add);
        services.AddHttpContextAccessor();

        services.AddDataProtection().SetApplicationName("Rectify").PersistKeysToDbContext<RectifyDb>();
        services.AddAntiforgery(o => o.HeaderName = "X-XSRF-TOKEN");

        services.AddRequestLocalization(o =>
        {
            o.SetDefaultCulture(Cultures[0]).AddSupportedCultures(Cultures).AddSupportedUICultures(Cultures);
            o.RequestCultureProviders = [new CookieRequestCultureProvider { CookieName = CultureCookie }];
        });

        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AddPageApplicationModelConvention("/Findings/Details", page => page.EndpointMetadata.Add(new RequestSizeLimitAttribute(evidence.UploadBytes)));
        });

        // Binding failures go through the error handler too (problem details, storage.full), never a bare 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            JsonInput.Configure(o.SerializerOptions);
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<RectifyExceptionHandler>();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Rectify API";
            document.Info.Description = "整改跟踪 Rectify: findings, reports, extensions, units, users, categories. Errors are RFC 7807 problem details with a stable \"code\".";
            return Task.CompletedTask;
        }));
        services.AddHealthChecks().AddDbContextCheck<RectifyDb>("database");
        services.Configure<Operations.OperationsOptions>(configuration.GetSection("Operations"));
        services.AddScoped<Operations.OperationsStatus>();
        services.AddSingleton<Operations.MetricsEndpoint>();
        services.AddScoped<DemoData>();
        services.AddSingleton<Rectify.Web.Findings.EvidenceDrafts>();
        services.AddScoped<Rectify.Web.Templates.TemplateEditor>();
        services.AddElsaStudio();
        return builder;
    }

    public static WebApplication UseRectifyWeb(this WebApplication app)
    {
        // Headers first, so that every answer has them, errors included.
        app.UseSecurityHeaders();
        // Localization next, so error answers also speak the request's language.
        app.UseRequestLocalization();
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            // Bare API errors (401, 404 of unknown routes) also answer as problem details.
            var http = context.HttpContext;
            if (RectifyExceptionHandler.IsApi(http.Request) && !http.Response.HasStarted && http.Response.ContentLength is null)
            {
                var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = http.Response.StatusCode, Extensions = { ["code"] = http.Response.StatusCode switch
                    {
                        // A body refused by its size limit before any endpoint code ran.
                        StatusCodes.Status413PayloadTooLarge => "request.too_large",
                        var status => $"http.{status}",
                    } } },
                });
            }
        });
        app.UseStaticFiles();
        app.UseRouting();
        // After routing, so requests are labelled by endpoint rather than by raw path.
        Prometheus.HttpMetricsMiddlewareExtensions.UseHttpMetrics(app, app.Services.GetRequiredService<Operations.MetricsEndpoint>().ConfigureHttpMetrics);
        app.UseAuthentication();
        app.UseActorContext();
        app.UseAuthorization();
        app.UseCookieAntiforgery();
        app.UseAntiforgery();

        app.MapHealthChecks("/health").AllowAnonymous();
        Operations.MetricsEndpoint.Map(app);
        app.MapOpenApi().AllowAnonymous();
        // Every role's home is its to-do list; the statistics stay on /dashboard.
        app.MapGet("/", () => Results.Redirect("/todo")).ExcludeFromDescription();
        app.MapGet("/culture", (string? c, string? returnUrl, HttpContext context) =>
        {
            var culture = Cultures.Contains(c) ? c! : Cultures[0];
            context.Response.Cookies.Append(CultureCookie,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
            return Results.LocalRedirect(returnUrl is { Length: > 0 } && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/");
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapAuthApi();
        app.MapFindingsApi();
        app.MapEvidenceApi();
        app.MapCapturesApi();
        app.MapInspectionsApi();
        app.MapNoticesApi();
        app.MapUnitsApi();
        app.MapUsersApi();
        app.MapCategoriesApi();
        app.MapDashboardApi();
        app.MapMailApi();
        app.MapWorkflowApi();
        app.MapElsaStudio();
        app.MapRazorPages();
        return app;
    }

    /// <summary>
    /// Migrates the database and seeds the demo data once, only when asked (<c>Demo:Seed</c>, <c>--demo</c>) or in
    /// Development (<c>dotnet run</c>): a production install starts with no account and no known password.
    /// </summary>
    public static async Task PrepareAsync(this WebApplication app)
    {
        await DatabaseInitializer.MigrateAsync(app.Services);
        // The demo clock stands where it stood (or at its configured start) before anything is stamped with it.
        var demoClock = app.Services.GetRequiredService<DemoClockControl>();
        await demoClock.RestoreAsync();
        app.Lifetime.ApplicationStopping.Register(() => demoClock.SaveAsync().GetAwaiter().GetResult());
        var seed = app.Configuration.GetValue<bool?>("Demo:Seed") ?? app.Environment.IsDevelopment();
        await using var scope = app.Services.CreateAsyncScope();
        if (seed)
            await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync();
        var noAccount = !await scope.ServiceProvider.GetRequiredService<RectifyDb>().Users.AnyAsync();
        if (noAccount)
            app.Logger.LogWarning("No account yet: create the first supervisor with `dotnet Rectify.Web.dll admin create NAME` (password from {Variable} or standard input)",
                HostCommand.PasswordVariable);
        app.Lifetime.ApplicationStarted.Register(() => PrintWelcome(app, seed, noAccount));
    }

    private static void PrintWelcome(WebApplication app, bool seeded, bool noAccount)
    {
        var urls = app.Urls.Count > 0 ? string.Join(", ", app.Urls) : DefaultUrl;
        var lines = new List<string> { "", $"Rectify 整改跟踪 is running at {urls}" };
        if (seeded)
        {
            lines.Add("Demo sign-ins (user name / password):");
            lines.AddRange(DemoData.Logins.Select(l => $"  {l.Role,-12} {l.UserName,-18} {l.Password}   {l.Description}"));
        }
        if (noAccount)
            lines.Add("No account yet. Create the first supervisor: dotnet Rectify.Web.dll admin create NAME (or run with --demo for the demo office)");
        lines.Add("");
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
    }
}
