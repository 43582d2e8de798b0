// The designer page header follows what the Studio saves: the answers to save, publish, import and revert carry the version and
// whether it is published. A file, not an inline script: the CSP allows none.
(() => {
    const show = (id, version) => {
        const span = document.getElementById(id);
        span.textContent = version === null ? "" : span.dataset.template.replace("{0}", version);
    };
    const fetch = window.fetch;
    window.fetch = async (...args) => {
        const response = await fetch(...args);
        const request = args[0] instanceof Request ? args[0] : null;
        const url = request ? request.url : String(args[0]);
        const method = (request ? request.method : args[1]?.method) ?? "GET";
        if (method === "POST" && response.ok && /\/elsa\/api\/workflow-definitions(\/import|\/[^/]+\/(publish|revert\/\d+))?$/.test(url)) {
            response.clone().json().then(body => {
                const definition = body.workflowDefinition ?? body;
                if (definition.isPublished) { show("published-version", definition.version); show("draft-version", null); }
                else show("draft-version", definition.version);
            }).catch(() => { });
        }
        return response;
    };
})();
