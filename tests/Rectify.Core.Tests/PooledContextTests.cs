using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rectify.Auditing;
using Rectify.Data;
using Rectify.Testing;

namespace Rectify.Core.Tests;

/// <summary>Contexts are pooled: what one scope set on its context never reaches the scope that rents it next.</summary>
public sealed class PooledContextTests
{
    [Fact]
    public async Task A_context_returned_to_the_pool_forgets_its_renter_and_its_long_job()
    {
        await using var database = await TestDatabase.CreateAsync();
        var auditor = new Actor("aud", "审核员", Users.UserRole.Auditor, null);
        RectifyDb first;
        await using (var scope = database.Scope(auditor))
        {
            first = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            first.WritesLongJob = true;
            Assert.Equal("aud", first.Actor.Id);
        }

        await using var next = database.Scope();
        var second = next.ServiceProvider.GetRequiredService<RectifyDb>();
        // The very same instance, so that the test sees what the pool hands on.
        Assert.Same(first, second);
        Assert.False(second.WritesLongJob);
        Assert.Equal(Actor.System.Id, second.Actor.Id);
    }

    [Fact]
    public async Task A_context_that_migrated_and_read_the_audit_chain_goes_back_with_its_connection_closed()
    {
        // The database was migrated on a pooled context (TestDatabase), and this scope reads the chain outside a save.
        await using var database = await TestDatabase.CreateAsync();
        RectifyDb first;
        await using (var scope = database.Scope())
        {
            first = scope.ServiceProvider.GetRequiredService<RectifyDb>();
            await AuditChain.HeadAsync(first);
            await AuditChain.VerifyAsync(first);
        }

        await using var next = database.Scope();
        var second = next.ServiceProvider.GetRequiredService<RectifyDb>();
        Assert.Same(first, second);
        await second.Set<Units.Unit>().CountAsync();
        // Closed again after a query: had an open been left counted, it would stay open and no save of this
        // context could join a group commit.
        Assert.Equal(ConnectionState.Closed, second.Database.GetDbConnection().State);
    }
}
