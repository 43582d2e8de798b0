// Starts the Studio's Blazor runtime in Rectify's language (Elsa.Studio.Localization reads localStorage "BlazorCulture")
// and with times in the office's zone, whatever the browser's. A file, not an inline script: the CSP allows none.
(() => {
    const { culture, zone } = document.currentScript.dataset;
    localStorage.setItem("BlazorCulture", culture);
    Blazor.start({ configureRuntime: runtime => runtime.withEnvironmentVariable("TZ", zone).withApplicationCulture(culture) });
})();
