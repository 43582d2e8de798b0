using Rectify;
using Rectify.Mail;
using Rectify.Notices;
using Rectify.Web;
using Rectify.Workflows;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRectifyCore(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddRectifyWorkflows(builder.Configuration);
builder.Services.AddRectifyMail(builder.Configuration);
builder.Services.AddRectifyNotices(builder.Configuration);
builder.AddRectifyWeb();

var app = builder.Build();
app.UseRectifyWeb();
await app.PrepareAsync();
await app.RunAsync();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
