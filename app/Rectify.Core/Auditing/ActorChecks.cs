namespace Rectify.Auditing;

/// <summary>Role checks the services repeat; the web layer checks policies too, these keep the services safe on their own.</summary>
public static class ActorChecks
{
    public static void RequireAuditor(this Actor actor)
    {
        if (!actor.IsAuditor)
            throw RectifyException.Forbidden("auth.auditor_required", "只有审核人员可以执行该操作。", "Only auditors may do this.");
    }

    public static void RequireSupervisor(this Actor actor)
    {
        if (!actor.IsSupervisor)
            throw RectifyException.Forbidden("auth.supervisor_required", "只有管理人员可以执行该操作。", "Only supervisors may do this.");
    }

    /// <summary>Auditors and supervisors: the office's own staff, who see every unit.</summary>
    public static void RequireStaff(this Actor actor)
    {
        if (!actor.IsAuditor && !actor.IsSupervisor)
            throw RectifyException.Forbidden("auth.staff_required", "只有政务公开办工作人员可以执行该操作。", "Only office staff may do this.");
    }
}
