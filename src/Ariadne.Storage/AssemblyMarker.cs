namespace Ariadne.Storage;
