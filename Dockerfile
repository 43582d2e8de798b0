# syntax=docker/dockerfile:1
# Build: the .NET SDK plus Node/npm (the Elsa Studio designer package is installed by the build).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish app/Rectify.Web/Rectify.Web.csproj -c Release -o /out

# Run: the ASP.NET Core runtime only; the database, evidence and outbox live in the /app/data volume.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends tzdata && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out .
COPY templates ./templates
COPY workflows ./workflows
RUN mkdir -p /app/data && chown $APP_UID /app/data
ENV ASPNETCORE_URLS=http://+:8080 \
    Rectify__DataDirectory=/app/data \
    Rectify__WorkflowsDirectory=/app/workflows \
    Mail__TemplatesDirectory=/app/templates
VOLUME /app/data
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Rectify.Web.dll"]
