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
# The publish output holds templates/ (mail and notice) and workflows/, the shipped defaults the app reads at start.
COPY --from=build /out .
RUN mkdir -p /app/data && chown $APP_UID /app/data
ENV ASPNETCORE_URLS=http://+:8080 \
    Rectify__DataDirectory=/app/data \
    Mail__TemplatesDirectory=/app/templates
VOLUME /app/data
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Rectify.Web.dll"]
