// Behaviour the pages declare with data attributes, so that no page needs inline script (the CSP forbids it):
// form[data-confirm] asks before submitting, select[data-autosubmit] submits its form when changed.
document.addEventListener('submit', e => {
    const form = e.target instanceof HTMLFormElement ? e.target : null;
    if (form && form.dataset.confirm && !confirm(form.dataset.confirm)) e.preventDefault();
}, true);
document.addEventListener('change', e => {
    if (e.target instanceof HTMLSelectElement && e.target.hasAttribute('data-autosubmit')) e.target.form?.submit();
});
