using Rectify.Users;

namespace Rectify.Auditing;

/// <summary>Who is making a change: a signed-in user, or the system itself.</summary>
public sealed record Actor(string Id, string Name, UserRole? Role, int? UnitId)
{
    public static readonly Actor System = new("system", "系统", null, null);
    public static readonly Actor Workflow = new("workflow", "流程", null, null);

    public bool IsAuditor => Role == UserRole.Auditor;
    public bool IsSupervisor => Role == UserRole.Supervisor;
    public bool IsLiaison => Role == UserRole.UnitLiaison;
}

/// <summary>The actor of the current scope (request, workflow run); every audit event names it.</summary>
public sealed class ActorContext
{
    public Actor Actor { get; set; } = Actor.System;
}

/// <summary>Marks the entities whose every change is written to the audit log.</summary>
public interface IAuditable;
