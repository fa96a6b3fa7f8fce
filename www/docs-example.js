// The example page's one interaction: changing an attribute redraws the view.
const button = document.getElementById('flip-sign');
button.addEventListener('click', () => {
  const view = document.getElementById('likely');
  const adv = Number(view.getAttribute('adv') ?? '1');
  view.setAttribute('adv', String(-adv));
  button.textContent = `Flip the advantage of the first view (now A = ${-adv})`;
});
