/* The poster's print button (no inline handler: the Content-Security-Policy allows no inline script). */
document.getElementById("print-poster").addEventListener("click", function () { window.print(); });
