// Builds DOM from data without ever parsing HTML: text goes in as text
// nodes, so a goods name like "<img onerror=…>" shows as those characters.
//
//   el('li', {testid: 'goods-row', data: {goodsId: 3}, class: 'row'}, 'Kopi')
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'testid') node.dataset.testid = value;
    else if (key === 'data') Object.assign(node.dataset, value);
    else if (key === 'on') {
      for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
    } else if (key in node && typeof value !== 'string') node[key] = value; // disabled, hidden, value…
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces everything inside `node`.
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function byTestId(id, root = document) {
  return root.querySelector(`[data-testid="${id}"]`);
}

// Shows a message in a live region, or hides it when text is empty.
export function say(node, text, tone = 'error') {
  node.textContent = text || '';
  node.hidden = !text;
  node.dataset.tone = tone;
}
