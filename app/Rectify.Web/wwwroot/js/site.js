// Behaviour the pages declare with data attributes, so that no page needs inline script (the CSP forbids it):
// form[data-confirm] asks before submitting, select[data-autosubmit] submits its form when changed.
document.addEventListener('submit', e => {
    const form = e.target instanceof HTMLFormElement ? e.target : null;
    if (form && form.dataset.confirm && !confirm(form.dataset.confirm)) e.preventDefault();
}, true);
document.addEventListener('change', e => {
    if (e.target instanceof HTMLSelectElement && e.target.hasAttribute('data-autosubmit')) e.target.form?.submit();
});
// A box that scrolls (a wide table on a phone, the notice preview, the chart) and holds nothing focusable gets a tab
// stop and a name, so that a keyboard can scroll it; one that fits gets none, so the Tab key never stops on nothing.
function scrollStops() {
    for (const box of document.querySelectorAll('.table-wrap, .notice-paper, .scrolls')) {
        const scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
        const hasFocusable = box.querySelector('a[href], button, input, select, textarea, [tabindex]') !== null;
        if (scrolls && !hasFocusable) {
            box.tabIndex = 0;
            box.setAttribute('role', 'region');
            if (!box.hasAttribute('aria-label'))
                box.setAttribute('aria-label', (box.closest('section')?.querySelector('h1, h2, h3') ?? document.querySelector('h1'))?.textContent?.trim() ?? '');
        } else if (box.getAttribute('tabindex') === '0' && !scrolls) {
            box.removeAttribute('tabindex');
        }
    }
}
scrollStops();
window.addEventListener('resize', scrollStops);
