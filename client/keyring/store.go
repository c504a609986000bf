package keyring

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// store holds the keyring's files by base name. Implementations need not be
// safe for concurrent use; Keyring serializes access.
type store interface {
	// read returns the content of file, or an error wrapping fs.ErrNotExist.
	read(file string) ([]byte, error)
	// exists reports whether file is present.
	exists(file string) (bool, error)
	// write replaces file with data atomically.
	write(file string, data []byte) error
	// remove deletes file, or returns an error wrapping fs.ErrNotExist.
	remove(file string) error
	// list returns the base names of all files; none if the store is empty.
	list() ([]string, error)
}

const (
	dirPerm  = 0o700
	filePerm = 0o600
)

// dirStore keeps files in a directory that it creates on the first write.
type dirStore struct {
	dir string
}

var _ store = dirStore{}

func (s dirStore) read(file string) ([]byte, error) {
	return os.ReadFile(filepath.Join(s.dir, file))
}

func (s dirStore) exists(file string) (bool, error) {
	_, err := os.Lstat(filepath.Join(s.dir, file))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, err
	}
}

// write writes data to a temporary file in the same directory, syncs it,
// renames it over file and syncs the directory, so that after a crash file
// holds either its old or its new content. Temporary names start with '.',
// which no key name does.
func (s dirStore) write(file string, data []byte) error {
	if err := os.MkdirAll(s.dir, dirPerm); err != nil {
		return fmt.Errorf("create keyring directory: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".tmp-*") // CreateTemp uses mode 0600.
	if err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err := writeAndClose(tmp, data); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.dir, file)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", file, err)
	}
	return syncDir(s.dir)
}

// writeAndClose writes data to f, syncs it and closes it.
func writeAndClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open keyring directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync keyring directory: %w", err)
	}
	return nil
}

func (s dirStore) remove(file string) error {
	if err := os.Remove(filepath.Join(s.dir, file)); err != nil {
		return err
	}
	return syncDir(s.dir)
}

func (s dirStore) list() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list keyring directory: %w", err)
	}
	files := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, e.Name())
		}
	}
	return files, nil
}

// memStore keeps files in memory. It copies data in and out so that callers
// cannot alias its contents.
type memStore map[string][]byte

var _ store = memStore{}

func (s memStore) read(file string) ([]byte, error) {
	data, ok := s[file]
	if !ok {
		return nil, fmt.Errorf("read %s: %w", file, fs.ErrNotExist)
	}
	return slices.Clone(data), nil
}

func (s memStore) exists(file string) (bool, error) {
	_, ok := s[file]
	return ok, nil
}

func (s memStore) write(file string, data []byte) error {
	s[file] = slices.Clone(data)
	return nil
}

func (s memStore) remove(file string) error {
	if _, ok := s[file]; !ok {
		return fmt.Errorf("remove %s: %w", file, fs.ErrNotExist)
	}
	delete(s, file)
	return nil
}

func (s memStore) list() ([]string, error) {
	files := make([]string, 0, len(s))
	for f := range s {
		files = append(files, f)
	}
	return files, nil
}
