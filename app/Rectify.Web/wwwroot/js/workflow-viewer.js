// The finding page's workflow diagram (Pages/Workflows/_WorkflowViewer.cshtml). The Studio viewer boots a WebAssembly
// app of several MB, so its frame is inserted only when asked for: by the button, or by a link to #workflow-viewer
// (the workflow card's "查看流程图"), which also scrolls there.
(() => {
    const section = document.getElementById('workflow-viewer');
    const button = section.querySelector('[data-viewer-open]');
    const newWindow = section.querySelector('[data-viewer-new-window]');
    const box = document.getElementById(button.getAttribute('aria-controls'));
    const loading = box.querySelector('[data-viewer-loading]');
    const template = box.querySelector('template');

    function open() {
        if (button.getAttribute('aria-expanded') === 'true') return;
        const frame = document.importNode(template.content.firstElementChild, true);
        frame.addEventListener('load', () => { loading.hidden = true; });
        box.append(frame);
        box.hidden = false;
        button.setAttribute('aria-expanded', 'true');
        button.hidden = true;
        newWindow.hidden = false;
    }

    section.querySelector('[data-viewer-fallback]').hidden = true;
    button.hidden = false;
    button.addEventListener('click', () => {
        open();
        // The button is gone: focus goes to the link that took its place.
        newWindow.focus();
    });
    document.addEventListener('click', e => {
        if (e.target instanceof Element && e.target.closest('a[href="#workflow-viewer"]')) open();
    });
    if (location.hash === '#workflow-viewer') open();
})();
